package report

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
)

// A beacon finding is about a group of connections, not one flow. It is
// reported when the group's evidence is judged (offline at the end of the
// input, live at each --interval and at the end), on a beacon record: a
// flow.Record that names the group (its client, the last connection's
// server and id, the group's first and last start) and carries the
// beacon.Result, but no counters. Outputs show beacon records as findings:
// JSON as a finding line (as --findings-only writes them), CSV as a row whose
// counter cells are empty, the table in its findings section; Zeek's
// conn.log has no place for them. `check` puts the result on the group's last
// flow record instead.

// BeaconFields are a beacon finding's measurements.
type BeaconFields struct {
	Period float64 `json:"period"` // median interval between connections, seconds
	Jitter float64 `json:"jitter"` // median absolute deviation of the intervals, seconds
	Count  int     `json:"count"`  // connections scored (at most beacon.Window)
	// Score is the beacon score; TimingScore, SizeScore and CountScore its
	// parts (see the README's "Beacons").
	Score       float64 `json:"score"`
	TimingScore float64 `json:"timing_score"`
	SizeScore   float64 `json:"size_score"`
	CountScore  float64 `json:"count_score"`
	// Size is the median of what the client sent per connection (IP bytes).
	Size float64 `json:"size"`
	// Name is the server name the group was keyed by ("" when by address).
	Name string `json:"name,omitempty"`
	// First and Last are the oldest and newest connection's start kept.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// FlowIDs are the ids of the connections scored, in the order they
	// were written.
	FlowIDs []uint64 `json:"flow_ids"`
}

// BeaconObs is what the beacon detector takes of r; false for records that
// continue a split flow (one connection is one observation).
func BeaconObs(r *flow.Record) (beacon.Obs, bool) {
	if r.Continues != 0 || !r.Client.IP.IsValid() {
		return beacon.Obs{}, false
	}
	o := beacon.Obs{
		Key: beacon.Key{Client: r.Client.IP, Server: r.Server.IP, Port: r.Server.Port, Proto: r.IPProto,
			Name: strings.ToLower(strings.TrimSuffix(r.ServerName, "."))},
		Server: r.Server.IP, ProtoName: r.Proto, Service: r.Service,
		Start: r.FirstSeen.UnixNano(), Bytes: r.Client.Bytes, ID: r.ID,
	}
	if o.Name != "" {
		o.Key.Server = netip.Addr{} // one group for a name however many addresses serve it
	}
	return o, true
}

// BeaconRecord returns the beacon record that reports res (see above).
func BeaconRecord(res *beacon.Result) flow.Record {
	r := flow.Record{
		ID: res.FlowIDs[len(res.FlowIDs)-1], Proto: res.ProtoName, IPProto: res.Proto,
		Client: flow.Side{IP: res.Client}, Server: flow.Side{IP: res.Server, Port: res.Port},
		ServerName: res.Name, Service: res.Service,
		FirstSeen: time.Unix(res.First, 0).UTC(), LastSeen: time.Unix(res.Last, 0).UTC(),
		Beacon: res,
	}
	r.IPVersion = 6
	if res.Client.Unmap().Is4() {
		r.IPVersion = 4
	}
	return r
}

// isBeaconRecord tells a beacon record from a flow: a flow has packets.
func isBeaconRecord(r *flow.Record) bool {
	return r.Beacon != nil && r.Client.Packets == 0 && r.Server.Packets == 0
}

// beaconFinding is the finding of a record that carries a beacon result.
func beaconFinding(r *flow.Record) Finding {
	b := r.Beacon
	port := r.Proto
	if hasPorts(r, b.Port) {
		port += "/" + strconv.Itoa(int(b.Port))
	}
	f := Finding{
		Kind: KindBeacon, Severity: "medium", Service: b.Service, Port: port,
		ExpectedServices: []string{}, ExpectedPorts: []string{},
		Beacon: &BeaconFields{
			Period: b.Period, Jitter: b.Jitter, Count: b.Count, Score: b.Score,
			TimingScore: b.TS, SizeScore: b.DS, CountScore: b.Scores.Count, Size: b.SizeMedian,
			Name: Escape(b.Name), First: time.Unix(b.First, 0).UTC(), Last: time.Unix(b.Last, 0).UTC(),
			FlowIDs: b.FlowIDs,
		},
	}
	to := "the server"
	if b.Name != "" {
		to = Escape(b.Name)
	}
	jitter := 0.0
	if b.Period > 0 {
		jitter = 100 * b.Jitter / b.Period
	}
	f.Reason = fmt.Sprintf("%d connections to %s every %s ± %s (%.0f %%), sending %s each (median; size regularity %.2f); beacon score %.2f",
		b.Count, to, seconds(b.Period), seconds(b.Jitter), jitter, bytesText(b.SizeMedian), b.DS, b.Score)
	f.Evidence = flowIDsText(b.FlowIDs)
	return f
}

func seconds(s float64) string {
	return strconv.FormatFloat(s, 'f', -1, 64) + "s"
}

func bytesText(n float64) string {
	return strconv.FormatFloat(n, 'f', -1, 64) + " B"
}

// flowIDsText lists the first and last few flow ids: "flows 10 20 30 … 570".
func flowIDsText(ids []uint64) string {
	const head, tail = 5, 2
	b := []byte("flows")
	for i, id := range ids {
		if len(ids) > head+tail+1 && i == head {
			b = fmt.Appendf(b, " … (%d more)", len(ids)-head-tail)
		}
		if len(ids) > head+tail+1 && i >= head && i < len(ids)-tail {
			continue
		}
		b = append(b, ' ')
		b = strconv.AppendUint(b, id, 10)
	}
	return string(b)
}

// beaconWriter is a sink or an exporter that shows beacon records.
type beaconWriter interface {
	writeBeacon(r *flow.Record) error
}

// BeaconReceiver is a sink outside this package that takes beacon records
// (the rules of check).
type BeaconReceiver interface {
	AddBeacon(r *flow.Record)
}

// WriteBeacon hands a beacon record to s (a sink NewSink returned, or a
// BeaconReceiver): tallied as findings, not as a flow, shown as the format
// shows findings, and given to the exporters that show them (the Zeek
// logs' notice.log).
func WriteBeacon(s Sink, r *flow.Record) error {
	if b, ok := s.(BeaconReceiver); ok {
		b.AddBeacon(r)
		return nil
	}
	var errs []error
	if x, ok := s.(*exportSink); ok {
		if w, ok := x.exp.(beaconWriter); ok {
			errs = append(errs, w.writeBeacon(r))
		}
		s = x.Parallel
	}
	if t, ok := s.(*tallySink); ok {
		t.tally.addFindings(r)
		s = t.Sink
	}
	if w, ok := s.(beaconWriter); ok {
		errs = append(errs, w.writeBeacon(r))
	}
	return errors.Join(errs...)
}

func (s *streamSink) writeBeacon(r *flow.Record) error {
	switch w := s.w.(type) {
	case *JSONWriter:
		fs, _ := w.keep.filter(r)
		var b []byte
		for i := range fs {
			b = appendJSONFlowFinding(b, &flowFinding{r, fs[i]})
		}
		if len(b) > 0 {
			return w.WriteEncoded(b)
		}
	case *CSVWriter:
		if fs, _ := w.keep.filter(r); len(fs) > 0 {
			return w.WriteEncoded(w.encodeBeacon(nil, r, fs))
		}
	}
	return nil // Zeek's conn.log lists connections only
}

func (t *tableSink) writeBeacon(r *flow.Record) error {
	t.beacons = append(t.beacons, *r)
	return nil
}

func (f *findingsSink) writeBeacon(r *flow.Record) error {
	f.recs = append(f.recs, *r)
	return nil
}

// beaconCSVColumns are the flow CSV's columns a beacon row fills.
var beaconCSVColumns = map[string]bool{
	"id": true, "proto": true, "client_ip": true, "server_ip": true, "server_port": true,
	"first_seen": true, "last_seen": true, "service": true, "findings": true, "server_name": true,
}

// encodeBeacon appends r's beacon row: the columns that describe the
// group, the flow counters empty.
func (cw *CSVWriter) encodeBeacon(dst []byte, r *flow.Record, fs []Finding) []byte {
	for i, c := range cw.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		if beaconCSVColumns[c.name] {
			dst = c.cell(dst, r, fs)
		}
	}
	return append(dst, '\r', '\n')
}

// addFindings counts r's findings only (a beacon record is no flow).
func (t *Tally) addFindings(r *flow.Record) {
	fs, suppressed := t.keep.filter(r)
	t.suppressed += uint64(suppressed)
	for i := range fs {
		t.findings++
		t.kinds[fs[i].Kind]++
		t.severities[fs[i].Severity]++
	}
}

// appendJSONBeacon appends `,"beacon":{...}`, fields in BeaconFields' order.
func appendJSONBeacon(b []byte, f *BeaconFields) []byte {
	b = append(b, `,"beacon":{"period":`...)
	b = appendFloat(b, f.Period)
	b = appendFloatField(b, "jitter", f.Jitter)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(f.Count), 10)
	b = appendFloatField(b, "score", f.Score)
	b = appendFloatField(b, "timing_score", f.TimingScore)
	b = appendFloatField(b, "size_score", f.SizeScore)
	b = appendFloatField(b, "count_score", f.CountScore)
	b = appendFloatField(b, "size", f.Size)
	if f.Name != "" {
		b = append(b, `,"name":`...)
		b = appendJSONString(b, f.Name)
	}
	b = append(b, `,"first":`...)
	b = appendJSONString(b, string(appendTime(nil, f.First)))
	b = append(b, `,"last":`...)
	b = appendJSONString(b, string(appendTime(nil, f.Last)))
	b = append(b, `,"flow_ids":[`...)
	for i, id := range f.FlowIDs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, id, 10)
	}
	return append(b, ']', '}')
}

// BeaconStats is what the summary says of the beacon detector.
type BeaconStats struct {
	beacon.Stats
	MaxGroups int // its limit
}

// beaconsSection says how many groups the detector tracked and, when its
// limit was hit, how many it forgot: beacons among them may be missed.
func beaconsSection(b *BeaconStats) section {
	var sec section
	if b == nil {
		return sec
	}
	found := "none"
	if b.Beacons > 0 {
		found = u(b.Beacons)
	}
	sec.title = "beacons: " + found + " (" + plural(uint64(b.Groups), "connection group") + " tracked)"
	if b.Evicted > 0 {
		sec.title += "; " + plural(b.Evicted, "group") + " forgotten at the limit of " +
			strconv.Itoa(b.MaxGroups) + " (--beacon-groups): beacons among them may be missed"
	}
	return sec
}
