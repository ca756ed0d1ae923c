package flow

// What one open flow costs, for the memory budget (--max-memory). The
// figures are upper bounds checked by TestBytesPerFlow on a flood of
// flows: the table's entry and its share of the index; with full analysis
// also the application state, the packet-length sequence and the service
// identification buffers of a flow still being identified.
const (
	BytesPerFlowOnly = 400
	BytesPerFlow     = 2048
)

// FlowsForMemory returns how many open flows fit in budget bytes (at least
// 1024): the --max-flows that --max-memory sets.
func FlowsForMemory(budget int64, flowsOnly bool) int {
	per := int64(BytesPerFlow)
	if flowsOnly {
		per = BytesPerFlowOnly
	}
	return int(min(max(budget/per, 1024), 1<<30))
}
