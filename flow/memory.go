package flow

// What one open flow costs, for the memory budget (--max-memory). The
// figures are upper bounds checked by TestBytesPerFlow on a flood of
// flows: the table's entry and its share of the index; with full analysis
// also the application state, the packet-length sequence and a small
// identification buffer. A flow being identified may hold up to
// BytesIdentifying more (a ClientHello and certificate, a QUIC Initial).
const (
	BytesPerFlowOnly = 400
	BytesPerFlow     = 1536
	BytesIdentifying = 8192
)

// Budget returns the bounds a memory budget sets: how many flows may be
// open (three quarters of it), and how many of them may be identifying
// their service at once (the last quarter), each at least 1024.
func Budget(budget int64, flowsOnly bool) (maxFlows, maxIdentifying int) {
	if flowsOnly {
		return bound(budget / BytesPerFlowOnly), 0
	}
	return bound(budget * 3 / 4 / BytesPerFlow), bound(budget / 4 / BytesIdentifying)
}

func bound(n int64) int { return int(min(max(n, 1024), 1<<30)) }
