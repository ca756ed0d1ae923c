package report

import (
	"bytes"
	"errors"
	"strconv"
	"testing"

	"github.com/flowscope/flowscope/flow"
)

// fakeExporter records what reaches it; fail makes its writes fail.
type fakeExporter struct {
	got  []string
	fail bool
}

func (f *fakeExporter) AppendRecord(dst []byte, r *flow.Record) []byte {
	return strconv.AppendUint(dst, r.ID, 10)
}

func (f *fakeExporter) WriteRecord(b []byte) error {
	f.got = append(f.got, string(b))
	if f.fail {
		return errors.New("disk full")
	}
	return nil
}
func (f *fakeExporter) Flush() error        { return nil }
func (f *fakeExporter) Close() error        { return nil }
func (f *fakeExporter) Report() [][2]string { return nil }

// TestExporters: joined exporters each get every record, in order, by the
// encoded path and by Write; one failing costs neither the other nor the
// output a record.
func TestExporters(t *testing.T) {
	if Exporters() != nil || Exporters(nil, nil) != nil {
		t.Error("no exporter should make nil")
	}
	a, b := &fakeExporter{}, &fakeExporter{fail: true}
	var out bytes.Buffer
	s, err := NewSink(SinkConfig{Stdout: &out, Options: Options{Format: "csv"}, Quiet: true, Export: Exporters(a, b)})
	if err != nil {
		t.Fatal(err)
	}
	p := s.(Parallel)
	enc := p.Encoder()
	for id := uint64(1); id <= 3; id++ {
		r := &flow.Record{ID: id, Proto: "udp"}
		var err error
		if id == 2 {
			err = p.Write(r) // as for formats that keep records
		} else {
			err = p.WriteEncoded(enc(nil, r))
		}
		if err == nil {
			t.Errorf("record %d: the failing exporter's error was lost", id)
		}
	}
	if err := p.Close(&Summary{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []*fakeExporter{a, b} {
		if len(f.got) != 3 || f.got[0] != "1" || f.got[2] != "3" {
			t.Errorf("exporter got %q", f.got)
		}
	}
	if rows := bytes.Count(out.Bytes(), []byte("\r\n")); rows != 4 { // header and 3 records
		t.Errorf("%d CSV lines:\n%s", rows, out.String())
	}
}
