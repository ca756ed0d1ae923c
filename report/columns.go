package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowscope/flowscope/flow"
)

// csvColumn is one CSV column: its header name and how to write its cell
// (fs are the record's findings that the allowlist keeps).
type csvColumn struct {
	name string
	cell func(b []byte, r *flow.Record, fs []Finding) []byte
}

func uintCell(get func(r *flow.Record) uint64, omitZero bool) func([]byte, *flow.Record, []Finding) []byte {
	return func(b []byte, r *flow.Record, _ []Finding) []byte {
		v := get(r)
		if omitZero && v == 0 {
			return b
		}
		return strconv.AppendUint(b, v, 10)
	}
}

func strCell(get func(r *flow.Record) string) func([]byte, *flow.Record, []Finding) []byte {
	return func(b []byte, r *flow.Record, _ []Finding) []byte { return appendCSVField(b, get(r)) }
}

func floatCell(get func(r *flow.Record) float64) func([]byte, *flow.Record, []Finding) []byte {
	return func(b []byte, r *flow.Record, _ []Finding) []byte { return appendFloat(b, get(r)) }
}

func tlsField(get func(t *flow.TLSInfo) string) func(r *flow.Record) string {
	return func(r *flow.Record) string {
		if r.TLS == nil {
			return ""
		}
		return Escape(get(r.TLS))
	}
}

// csvColumns lists every CSV column in the default order; --fields picks
// and orders a subset by name.
var csvColumns = []csvColumn{
	{"id", uintCell(func(r *flow.Record) uint64 { return r.ID }, false)},
	{"proto", strCell(func(r *flow.Record) string { return r.Proto })},
	{"client_ip", func(b []byte, r *flow.Record, _ []Finding) []byte { return appendCSVIP(b, &r.Client) }},
	{"client_port", uintCell(func(r *flow.Record) uint64 { return uint64(r.Client.Port) }, false)},
	{"server_ip", func(b []byte, r *flow.Record, _ []Finding) []byte { return appendCSVIP(b, &r.Server) }},
	{"server_port", uintCell(func(r *flow.Record) uint64 { return uint64(r.Server.Port) }, false)},
	{"client_packets", uintCell(func(r *flow.Record) uint64 { return r.Client.Packets }, false)},
	{"client_bytes", uintCell(func(r *flow.Record) uint64 { return r.Client.Bytes }, false)},
	{"client_payload_bytes", uintCell(func(r *flow.Record) uint64 { return r.Client.PayloadBytes }, false)},
	{"server_packets", uintCell(func(r *flow.Record) uint64 { return r.Server.Packets }, false)},
	{"server_bytes", uintCell(func(r *flow.Record) uint64 { return r.Server.Bytes }, false)},
	{"server_payload_bytes", uintCell(func(r *flow.Record) uint64 { return r.Server.PayloadBytes }, false)},
	{"first_seen", func(b []byte, r *flow.Record, _ []Finding) []byte { return appendTime(b, r.FirstSeen) }},
	{"last_seen", func(b []byte, r *flow.Record, _ []Finding) []byte { return appendTime(b, r.LastSeen) }},
	{"duration", func(b []byte, r *flow.Record, _ []Finding) []byte {
		if d := r.Duration(); d < 0 {
			// A leading '-' would trip the injection guard: quote the cell.
			return appendSeconds(append(b, '\''), d)
		}
		return appendSeconds(b, r.Duration())
	}},
	{"conn_state", strCell(func(r *flow.Record) string { return r.ConnState })},
	{"history", strCell(func(r *flow.Record) string { return r.History })},
	{"community_id", strCell(func(r *flow.Record) string { return r.CommunityID })},
	{"direction_by", strCell(func(r *flow.Record) string { return r.DirectionBy })},
	{"end_reason", strCell(func(r *flow.Record) string { return r.EndReason })},
	{"vlan", uintCell(func(r *flow.Record) uint64 { return uint64(r.VLAN) }, true)},
	{"tunnel", strCell(func(r *flow.Record) string { return r.Tunnel })},
	{"tunnel_parent", uintCell(func(r *flow.Record) uint64 { return r.TunnelParent }, true)},
	{"ip_fragments", uintCell(func(r *flow.Record) uint64 { return r.Fragments }, true)},
	{"service", strCell(func(r *flow.Record) string { return r.Service })},
	{"port_service", strCell(func(r *flow.Record) string { return r.PortService })},
	{"port_class", strCell(func(r *flow.Record) string { return r.PortClass })},
	{"findings", func(b []byte, _ *flow.Record, fs []Finding) []byte {
		if len(fs) == 0 {
			return b
		}
		return appendCSVField(b, string(appendFindingsCell(nil, fs)))
	}},
	{"server_name", strCell(func(r *flow.Record) string { return Escape(r.ServerName) })},
	{"tls_version", strCell(tlsField(func(t *flow.TLSInfo) string { return t.Version }))},
	{"ja3_hash", strCell(tlsField(func(t *flow.TLSInfo) string { return t.JA3Hash }))},
	{"ja4", strCell(tlsField(func(t *flow.TLSInfo) string { return t.JA4 }))},
	{"rtt_client", floatCell(func(r *flow.Record) float64 { return featuresOf(r).RTTClient })},
	{"rtt_server", floatCell(func(r *flow.Record) float64 { return featuresOf(r).RTTServer })},
	{"other_service", strCell(otherField(func(o *flow.OtherSide) string { return o.OtherService }))},
	{"other_service_confidence", strCell(otherField(func(o *flow.OtherSide) string { return o.OtherConfidence }))},
	{"other_service_detector", strCell(otherField(func(o *flow.OtherSide) string { return o.OtherDetector }))},
}

// otherField reads the other side's verdict, "" without one.
func otherField(get func(o *flow.OtherSide) string) func(r *flow.Record) string {
	return func(r *flow.Record) string {
		if r.OtherSide == nil {
			return ""
		}
		return get(r.OtherSide)
	}
}

// CSVFields lists the names --fields accepts for CSV, in default order.
func CSVFields() []string {
	names := make([]string, len(csvColumns))
	for i, c := range csvColumns {
		names[i] = c.name
	}
	return names
}

// pickCSVColumns returns the columns named (all when names is empty).
func pickCSVColumns(names []string) ([]csvColumn, error) {
	if len(names) == 0 {
		return csvColumns, nil
	}
	out := make([]csvColumn, 0, len(names))
	for _, n := range names {
		found := false
		for _, c := range csvColumns {
			if c.name == n {
				out = append(out, c)
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown CSV field %q (fields: %s)", n, strings.Join(CSVFields(), ", "))
		}
	}
	return out, nil
}

// featuresOf returns the record's features, zero without them.
func featuresOf(r *flow.Record) *flow.Features {
	if r.Features == nil {
		return &flow.Features{}
	}
	return r.Features
}

// CheckFields reports a --fields name the output format does not have.
func CheckFields(format string, fields []string) error {
	if len(fields) == 0 {
		return nil
	}
	switch format {
	case "json":
		// Refused rather than ignored: a script that asked for keys must
		// not silently get all of them.
		return fmt.Errorf("--fields picks the columns of -o csv and of the table; JSON records keep every key: select them with jq, e.g. jq -c '{id, service}'")
	case "csv":
		_, err := pickCSVColumns(fields)
		return err
	case "table":
		for _, f := range fields {
			if _, ok := colFields[f]; !ok {
				return fmt.Errorf("unknown table field %q (fields: %s)", f, strings.Join(TableFields(), ", "))
			}
		}
	}
	return nil
}
