package report

import (
	"bytes"
	"io"
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
		case 3:
			r = svcRec(uint64(i+1), 8080, "http", "high") // an info finding
		default:
			r = svcRec(uint64(i+1), 443, "tls", "high")
		}
		r.Client.Bytes = uint64(rng.IntN(50)) * 100 // ties, broken by ID
		// Frame bytes in another order, so that the kinds rank differently.
		r.Client.FrameBytes = uint64(rng.IntN(50)) * 100
		all = append(all, r)
	}
	if f := Findings(&all[3]); len(f) != 1 || f[0].Severity != "info" {
		t.Fatalf("record 3's findings: %+v, want one at info", f)
	}
	for _, c := range []struct {
		n           int
		kind        ByteKind
		minSeverity string
	}{{0, FrameBytes, ""}, {1, FrameBytes, ""}, {5, FrameBytes, ""}, {20, FrameBytes, ""}, {499, FrameBytes, ""},
		{600, FrameBytes, ""}, {5, IPBytes, ""}, {20, IPBytes, ""}, {5, FrameBytes, "low"}, {20, IPBytes, "high"}} {
		n := c.n
		k := NewTableKeeper(n, c.kind, nil, c.minSeverity)
		for i := range all {
			k.Add(&all[i])
		}
		kept, hidden := k.Records()
		// Only the findings shown are kept beside the top N: the ssh
		// ones, and the info ones only when no minimum hides them.
		withFindings := len(all)/7 + 1
		if c.minSeverity == "" {
			withFindings *= 2
		}
		if n > 0 && len(kept) > n+withFindings {
			t.Errorf("n=%d min %q: kept %d records", n, c.minSeverity, len(kept))
		}
		var want, got bytes.Buffer
		if err := WriteTable(&want, all, Options{Top: n, Bytes: c.kind, MinSeverity: c.minSeverity}); err != nil {
			t.Fatal(err)
		}
		if err := WriteTable(&got, kept, Options{Top: n, Hidden: hidden, Bytes: c.kind, MinSeverity: c.minSeverity}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("n=%d: the kept table differs:\n%s\nwant:\n%s", n, got.String(), want.String())
		}
	}
}

// TestFindingsSinkKeeps: --findings-only keeps, of the records, those with
// a finding it shows or one the allowlist suppressed (which it counts), and
// lists the same as from every record, at every minimum severity.
func TestFindingsSinkKeeps(t *testing.T) {
	recs := findingRecs()
	for _, c := range []struct{ allow, min string }{
		{"", ""}, {"", "high"}, {"* *", ""}, {"* *", "high"}, {"* * nonstandard-port", "low"}, {"* * port-mismatch", "high"},
	} {
		opt := Options{Format: "table", MinSeverity: c.min}
		if c.allow != "" {
			opt.Allow = mustAllowlist(t, c.allow)
		}
		want := writeFindings(t, recs, opt)
		var got bytes.Buffer
		s, err := NewSink(SinkConfig{Stdout: &got, Stderr: io.Discard, Options: opt, FindingsOnly: true, Quiet: true})
		if err != nil {
			t.Fatal(err)
		}
		for i := range recs {
			if err := s.Write(&recs[i]); err != nil {
				t.Fatal(err)
			}
		}
		kept := s.(*tallySink).Sink.(*findingsSink).Take()
		if err := WriteFindings(&got, kept, opt); err != nil {
			t.Fatal(err)
		}
		if got.String() != want {
			t.Errorf("allow %q, min %q: the kept records list\n%s\nwant\n%s", c.allow, c.min, got.String(), want)
		}
	}
}

// TestTableKeeperAllowlist: records whose only findings the allowlist
// suppresses are not held for them (the table counts no suppressed
// findings), and the table reads as the full list's.
func TestTableKeeperAllowlist(t *testing.T) {
	var all []flow.Record
	for i := range 1000 {
		r := svcRec(uint64(i+1), 8080, "http", "high") // an info finding
		r.Client.Bytes = uint64(i)
		all = append(all, r)
	}
	allow := mustAllowlist(t, "* *")
	for _, min := range []string{"", "high"} {
		k := NewTableKeeper(5, FrameBytes, allow, min)
		for i := range all {
			k.Add(&all[i])
		}
		kept, hidden := k.Records()
		if len(kept) != 5 {
			t.Errorf("min %q: kept %d records, want the top 5", min, len(kept))
		}
		opt := Options{Top: 5, Allow: allow, MinSeverity: min}
		var want, got bytes.Buffer
		if err := WriteTable(&want, all, opt); err != nil {
			t.Fatal(err)
		}
		opt.Hidden = hidden
		if err := WriteTable(&got, kept, opt); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("min %q: the kept table differs:\n%s\nwant:\n%s", min, got.String(), want.String())
		}
	}
}
