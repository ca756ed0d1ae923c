package flow

import "github.com/flowscope/flowscope/linktype"

// Counter counts frames as the decoder made them: everything the flow
// tables never see (skipped frames by reason, non-IP kinds, link types).
type Counter struct {
	frames, frameBytes, ipPackets uint64
	skipped                       [skipCount]uint64
	nonIP                         map[uint16]uint64
	linkSmall                     [512]uint64 // frames per link type below 512
	linkOther                     map[uint32]uint64
	unknownLink                   map[uint32]uint64
}

// Count counts one decoded frame of linkType and wire length origLen.
func (c *Counter) Count(f *Frame, linkType uint32, origLen int) {
	c.frames++
	c.frameBytes += uint64(origLen)
	if linkType < uint32(len(c.linkSmall)) {
		c.linkSmall[linkType]++
	} else {
		if c.linkOther == nil {
			c.linkOther = map[uint32]uint64{}
		}
		c.linkOther[linkType]++
	}
	c.ipPackets += uint64(f.N)
	if f.Skip == SkipNone {
		return
	}
	c.skipped[f.Skip]++
	switch f.Skip {
	case SkipNonIP:
		if c.nonIP == nil {
			c.nonIP = map[uint16]uint64{}
		}
		c.nonIP[f.EtherType]++
	case SkipUnknownLinkType:
		if c.unknownLink == nil {
			c.unknownLink = map[uint32]uint64{}
		}
		c.unknownLink[f.LinkType]++ // the frame's, or the one its PPI header names
	}
}

// Frames returns the number of frames counted.
func (c *Counter) Frames() uint64 { return c.frames }

// Stats returns the frame counts with the decoder's fragment counts and
// the flow tables' counts added up.
func (c *Counter) Stats(fs FragStats, tables ...TableStats) Stats {
	s := Stats{
		Frames:           c.frames,
		FrameBytes:       c.frameBytes,
		IPPackets:        c.ipPackets,
		Skipped:          map[string]uint64{},
		NonIP:            map[string]uint64{},
		LinkTypes:        map[string]uint64{},
		UnknownLinkTypes: map[uint32]uint64{},
		EndReasons:       map[string]uint64{},
	}
	for r, n := range c.skipped {
		if n > 0 {
			s.Skipped[Skip(r).String()] += n
		}
	}
	for et, n := range c.nonIP {
		s.NonIP[NonIPName(et)] += n
	}
	for lt, n := range c.linkSmall {
		if n > 0 {
			s.LinkTypes[linktype.Name(uint32(lt))] += n
		}
	}
	for lt, n := range c.linkOther {
		s.LinkTypes[linktype.Name(lt)] += n
	}
	for lt, n := range c.unknownLink {
		s.UnknownLinkTypes[lt] = n
	}
	for _, ts := range tables {
		s.Flows += ts.Flows
		for r, n := range ts.Reasons {
			if n > 0 {
				s.EndReasons[EndReason(r).String()] += n
			}
		}
		s.MaxActive += ts.MaxActive
		s.Unidentified += ts.Unidentified
	}
	s.Fragments, s.FragmentsUnattributed, s.DatagramsIncomplete = fs.Fragments, fs.Unattributed, fs.Incomplete
	return s
}

// Analyzer runs frames through the decoder and one flow table on the
// caller's goroutine, and counts everything it could not turn into flows.
// The pipeline package runs the same stages over several cores.
type Analyzer struct {
	dec   *Decoder
	table *Table
	frame Frame
	count Counter
	now   int64
}

// NewAnalyzer returns an analyzer whose table calls emit for each finished flow.
func NewAnalyzer(cfg Config, emit func(*Record)) *Analyzer {
	return &Analyzer{dec: NewDecoder(), table: NewTable(cfg, emit)}
}

// Add analyses one frame: data as captured, its LINKTYPE_*, wire length,
// packet time in unix nanoseconds and frame number (from 1).
func (a *Analyzer) Add(data []byte, linkType uint32, origLen int, ts int64, frameNo uint64) {
	f := &a.frame
	a.dec.DecodeFrame(data, linkType, origLen, ts, frameNo, f)
	a.count.Count(f, linkType, origLen)
	if ts > a.now {
		a.now = ts
	}
	a.table.Advance(a.now)
	a.table.Frame(f, ts, frameNo, origLen)
	if !a.table.cfg.FlowsOnly {
		for i := 0; i < f.N; i++ {
			if m := DNSAnswers(&f.Packets[i]); m != nil {
				a.table.NoteAnswers(m)
			}
		}
	}
}

// Frame accounts every packet of a decoded frame to its flow, linking
// tunnelled packets to the flow of the packet that carried them.
func (t *Table) Frame(f *Frame, ts int64, frameNo uint64, origLen int) {
	t.Packets(f.Packets[:f.N], ts, frameNo, origLen)
}

// Packets is Frame for a frame's packets held elsewhere (at most
// MaxPackets, in the frame's order).
func (t *Table) Packets(pkts []Packet, ts int64, frameNo uint64, origLen int) {
	var ids [MaxPackets]uint64
	for i := range pkts[:min(len(pkts), MaxPackets)] {
		p := &pkts[i]
		var parent uint64
		if p.Parent >= 0 && p.Parent < i {
			parent = ids[p.Parent]
		}
		ids[i] = t.Update(p, ts, frameNo, i, origLen, parent)
	}
}

// Flush ends every open flow and fragment at the end of input.
func (a *Analyzer) Flush() {
	a.dec.Flush()
	a.table.Flush()
}

// Stats returns the counts so far.
func (a *Analyzer) Stats() Stats {
	return a.count.Stats(a.dec.FragStats(), a.table.Stats())
}
