package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, nil, true)
	p.Update(10) // the first second prints nothing: short reads stay quiet
	if buf.Len() != 0 {
		t.Fatalf("printed during the first second: %q", buf.String())
	}
	p.start = time.Now().Add(-2 * time.Second)
	p.last = p.start
	p.Update(65536)
	if got := buf.String(); !strings.HasPrefix(got, "\r65536 packets, 0.0 MB read") {
		t.Errorf("progress line %q", got)
	}
	p.Update(131072) // within 200 ms of the last line: nothing new
	if strings.Contains(buf.String(), "131072") {
		t.Errorf("printed too often: %q", buf.String())
	}
	p.Done()
	if !strings.HasSuffix(buf.String(), "\r\x1b[K") {
		t.Errorf("done did not clear the line: %q", buf.String())
	}
	var off bytes.Buffer
	q := newProgress(&off, nil, false)
	q.start = time.Now().Add(-time.Hour)
	q.Update(1)
	q.Done()
	if off.Len() != 0 {
		t.Errorf("progress off printed %q", off.String())
	}
}
