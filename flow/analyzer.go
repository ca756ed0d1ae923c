package flow

import "github.com/flowscope/flowscope/capture"

// Analyzer runs frames through the decoder and the flow table and counts
// everything it could not turn into flows.
type Analyzer struct {
	dec   *Decoder
	table *Table
	frame Frame

	frames, frameBytes, ipPackets uint64
	skipped                       [skipCount]uint64
	nonIP                         map[uint16]uint64
	linkSmall                     [512]uint64 // frames per link type below 512
	linkOther                     map[uint32]uint64
	unknownLink                   map[uint32]uint64
}

// NewAnalyzer returns an analyzer whose table calls emit for each finished flow.
func NewAnalyzer(cfg Config, emit func(*Record)) *Analyzer {
	return &Analyzer{
		dec:         NewDecoder(),
		table:       NewTable(cfg, emit),
		nonIP:       map[uint16]uint64{},
		linkOther:   map[uint32]uint64{},
		unknownLink: map[uint32]uint64{},
	}
}

// Add analyses one frame: data as captured, its LINKTYPE_*, wire length,
// packet time in unix nanoseconds and frame number (from 1).
func (a *Analyzer) Add(data []byte, linkType uint32, origLen int, ts int64, frameNo uint64) {
	a.frames++
	a.frameBytes += uint64(origLen)
	if linkType < uint32(len(a.linkSmall)) {
		a.linkSmall[linkType]++
	} else {
		a.linkOther[linkType]++
	}
	f := &a.frame
	a.dec.frameNo = frameNo
	a.dec.Decode(data, linkType, origLen, ts, f)
	if f.Skip != SkipNone {
		a.skipped[f.Skip]++
		switch f.Skip {
		case SkipNonIP:
			a.nonIP[f.EtherType]++
		case SkipUnknownLinkType:
			a.unknownLink[linkType]++
		}
	}
	var ids [MaxPackets]uint64
	for i := 0; i < f.N; i++ {
		p := &f.Packets[i]
		var parent uint64
		if p.Parent >= 0 && p.Parent < i {
			parent = ids[p.Parent]
		}
		ids[i] = a.table.Update(p, ts, frameNo, origLen, parent)
	}
	a.ipPackets += uint64(f.N)
	if f.N == 0 {
		a.table.Advance(ts)
	}
}

// Advance moves packet time forward with no packet, ending idle flows.
func (a *Analyzer) Advance(ts int64) { a.table.Advance(ts) }

// Flush ends every open flow and fragment at the end of input.
func (a *Analyzer) Flush() {
	a.dec.Flush()
	a.table.Flush()
}

// Snapshot calls fn with a record of every open flow, leaving them open.
func (a *Analyzer) Snapshot(fn func(*Record)) { a.table.Snapshot(fn) }

// Open returns the number of open flows.
func (a *Analyzer) Open() int { return a.table.Len() }

// Stats returns the counts so far.
func (a *Analyzer) Stats() Stats {
	s := Stats{
		Frames:           a.frames,
		FrameBytes:       a.frameBytes,
		IPPackets:        a.ipPackets,
		Skipped:          map[string]uint64{},
		NonIP:            map[string]uint64{},
		LinkTypes:        map[string]uint64{},
		UnknownLinkTypes: map[uint32]uint64{},
		EndReasons:       map[string]uint64{},
		Flows:            a.table.stats.flows,
		MaxActive:        a.table.stats.maxActive,
	}
	for r, n := range a.skipped {
		if n > 0 {
			s.Skipped[Skip(r).String()] += n
		}
	}
	for et, n := range a.nonIP {
		s.NonIP[NonIPName(et)] += n
	}
	for lt, n := range a.linkSmall {
		if n > 0 {
			s.LinkTypes[capture.LinkTypeName(uint32(lt))] += n
		}
	}
	for lt, n := range a.linkOther {
		s.LinkTypes[capture.LinkTypeName(lt)] += n
	}
	for lt, n := range a.unknownLink {
		s.UnknownLinkTypes[lt] = n
	}
	for r, n := range a.table.stats.reasons {
		if n > 0 {
			s.EndReasons[EndReason(r).String()] = n
		}
	}
	fs := a.dec.FragStats()
	s.Fragments, s.FragmentsUnattributed, s.DatagramsIncomplete = fs.Fragments, fs.Unattributed, fs.Incomplete
	return s
}
