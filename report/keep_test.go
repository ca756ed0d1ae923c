package report

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/flowscope/flowscope/flow"
)

// TestTableKeeper checks that the table from a keeper's records reads
// exactly as the table from all of them, for several N.
func TestTableKeeper(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var all []flow.Record
	for i := range 500 {
		var r flow.Record
		switch i % 7 {
		case 0:
			r = svcRec(uint64(i+1), 2222, "ssh", "high") // a finding
		default:
			r = svcRec(uint64(i+1), 443, "tls", "high")
		}
		r.Client.Bytes = uint64(rng.IntN(50)) * 100 // ties, broken by ID
		// Frame bytes in another order, so that the kinds rank differently.
		r.Client.FrameBytes = uint64(rng.IntN(50)) * 100
		all = append(all, r)
	}
	for _, c := range []struct {
		n    int
		kind ByteKind
	}{{0, FrameBytes}, {1, FrameBytes}, {5, FrameBytes}, {20, FrameBytes}, {499, FrameBytes}, {600, FrameBytes}, {5, IPBytes}, {20, IPBytes}} {
		n := c.n
		k := NewTableKeeper(n, c.kind)
		for i := range all {
			k.Add(&all[i])
		}
		kept, hidden := k.Records()
		if n > 0 && len(kept) > n+len(all)/7+1 {
			t.Errorf("n=%d: kept %d records", n, len(kept))
		}
		var want, got bytes.Buffer
		if err := WriteTable(&want, all, Options{Top: n, Bytes: c.kind}); err != nil {
			t.Fatal(err)
		}
		if err := WriteTable(&got, kept, Options{Top: n, Hidden: hidden, Bytes: c.kind}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("n=%d: the kept table differs:\n%s\nwant:\n%s", n, got.String(), want.String())
		}
	}
}
