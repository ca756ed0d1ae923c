package flow

// app is a flow's application state, apart from the table's bookkeeping
// (index, lists, counters, TCP state): service identification, handshake
// metadata, DNS and features. A flows-only table keeps none; the others
// take one from a pool when a flow begins and give it back when it ends.
type app struct {
	stats   flowStats
	svc     *svcState // while identifying the service
	svcRes  svcResult // once identification finished
	svcDone bool
	// otherLeft is how many more datagrams of the side that did not
	// decide a sure UDP verdict protocol-mismatch looks at (Table.otherSide).
	otherLeft uint8
	// out is what records of this flow that an active timeout ended
	// carried (nil until one did: few flows are split).
	out      *carried
	synSeq   [2]uint32 // sequence number of each side's SYN, for the payload prefix
	synSeen  [2]bool
	dnsFails uint8    // port-53 payloads that were not DNS; parsing stops at dnsMaxFails
	dns      *DNSInfo // what a DNS flow asked and was answered
	dnsName  string   // the name an earlier DNS answer gave the server's address
}

// newApp returns an empty app state, reusing one a flow gave back.
func (t *Table) newApp() *app {
	var a *app
	if n := len(t.appFree); n > 0 {
		a = t.appFree[n-1]
		t.appFree = t.appFree[:n-1]
	} else {
		a = new(app)
	}
	a.stats.spltCap = t.cfg.SPLT
	return a
}

// freeApp takes back a flow's app state; a service state it still holds
// goes back to its own pool.
func (t *Table) freeApp(a *app) {
	if a.svc != nil {
		t.releaseSvc(a.svc)
	}
	splt := a.stats.splt[:0] // the sequence's memory serves the next flow
	*a = app{}
	a.stats.splt = splt
	t.appFree = append(t.appFree, a)
}

// carried is what the records of a split flow carried so far: the service
// above low, on the deciding side and on the other; their findings were
// raised, and a continuation does not raise them again.
type carried struct{ verdict, other string }
