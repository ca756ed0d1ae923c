package report

import (
	"bytes"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/flow"
	"github.com/flowscope/flowscope/flow/beacon"
)

func testBeacon() *beacon.Result {
	return &beacon.Result{
		Key:       beacon.Key{Client: netip.MustParseAddr("10.0.0.1"), Name: "c2.example", Port: 8443, Proto: 6},
		Scores:    beacon.Scores{Score: 0.95, TS: 0.9, DS: 1, Count: 1, Period: 60, Jitter: 6, SizeMedian: 310, Events: 12},
		Server:    netip.MustParseAddr("192.0.2.7"),
		ProtoName: "tcp", Service: "tls", First: 1_700_000_000, Last: 1_700_000_660, Count: 12,
		FlowIDs: []uint64{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120},
	}
}

// TestBeaconFindings: a beacon record has its beacon finding only (not the
// nonstandard-port of its tls on tcp/8443, which its flows carried); a
// flow that carries a beacon (check's) has both.
func TestBeaconFindings(t *testing.T) {
	rec := BeaconRecord(testBeacon())
	fs := Findings(&rec)
	if len(fs) != 1 || fs[0].Kind != KindBeacon || fs[0].Port != "tcp/8443" || fs[0].Service != "tls" || fs[0].Beacon.Count != 12 ||
		fs[0].Evidence != "flows 10 20 30 40 50 … (5 more) 110 120" ||
		fs[0].Reason != "12 connections to c2.example every 60s ± 6s (10 %), sending 310 B each (median; size regularity 1.00); beacon score 0.95" {
		t.Errorf("beacon record's findings %+v", fs)
	}
	if rec.ID != 120 || rec.Server.IP.String() != "192.0.2.7" || rec.ServerName != "c2.example" || hasPorts(&rec, rec.Client.Port) {
		t.Errorf("beacon record %+v", rec)
	}
	flowRec := flow.Record{ID: 120, Proto: "tcp", IPProto: 6, Client: flow.Side{IP: rec.Client.IP, Port: 50000, Packets: 5},
		Server: flow.Side{IP: rec.Server.IP, Port: 8443, Packets: 4}, Service: "tls", ServiceConfidence: "high", Beacon: rec.Beacon}
	if fs := Findings(&flowRec); len(fs) != 2 || fs[0].Kind != KindBeacon || fs[1].Kind != KindNonstandardPort {
		t.Errorf("flow with a beacon: %+v", fs)
	}
}

// TestWriteBeacon: after a flow, JSON writes a finding line, CSV a row with
// the group's cells, the table its findings section, Zeek nothing; each
// counts it as a finding, not a flow.
func TestWriteBeacon(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{"json", []string{`{"id":120,"proto":"tcp","client":{"ip":"10.0.0.1","port":0},"server":{"ip":"192.0.2.7","port":8443},` +
			`"community_id":"","kind":"beacon","severity":"medium","service":"tls","port":"tcp/8443","expected_services":[],"expected_ports":[],` +
			`"evidence":"flows 10 20 30 40 50 … (5 more) 110 120","reason":"12 connections to c2.example every 60s ± 6s (10 %), sending 310 B each (median; size regularity 1.00); beacon score 0.95",` +
			`"beacon":{"period":60,"jitter":6,"count":12,"score":0.95,"timing_score":0.9,"size_score":1,"count_score":1,"size":310,"name":"c2.example",` +
			`"first":"2023-11-14T22:13:20.000000000Z","last":"2023-11-14T22:24:20.000000000Z","flow_ids":[10,20,30,40,50,60,70,80,90,100,110,120]}}` + "\n"}},
		{"csv", []string{"id,proto,client_ip,client_port,server_ip,server_port,client_packets,", "\r\n120,tcp,10.0.0.1,,192.0.2.7,8443,,,,,,,2023-11-14T22:13:20.000000000Z,2023-11-14T22:24:20.000000000Z,,,,,,,,,,,tls,,,beacon:tls:tcp/8443,c2.example,,,,,,,,\r\n"}},
		{"table", []string{"findings:\n  medium  beacon  tls  tcp/8443  #120  10.0.0.1 → 192.0.2.7:8443\n    12 connections to c2.example", "findings: 1 (beacon 1; medium 1)"}},
		{"zeek", []string{"#fields"}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var out bytes.Buffer
			s, err := NewSink(SinkConfig{Stdout: &out, Quiet: true, Options: Options{Format: tc.format}})
			if err != nil {
				t.Fatal(err)
			}
			fl := flow.Record{ID: 7, Proto: "tcp", IPProto: 6, IPVersion: 4, Client: flow.Side{IP: netip.MustParseAddr("10.0.0.1"), Port: 50000, Packets: 1},
				Server: flow.Side{IP: netip.MustParseAddr("192.0.2.7"), Port: 8443, Packets: 1}}
			if err := s.Write(&fl); err != nil {
				t.Fatal(err)
			}
			rec := BeaconRecord(testBeacon())
			if err := WriteBeacon(s, &rec); err != nil {
				t.Fatal(err)
			}
			if tc.format == "zeek" && strings.Contains(out.String(), "beacon") {
				t.Errorf("beacon in conn.log:\n%s", out.String())
			}
			sum := &Summary{}
			if err := s.Close(sum); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if sum.Tally.findings != 1 || sum.Tally.records != 1 {
				t.Errorf("tally: %d findings, %d records; want 1, 1", sum.Tally.findings, sum.Tally.records)
			}
		})
	}
}
