package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/flowscope/flowscope/report"
)

// openExports opens what gets every record beside the output: the --ipfix
// collector and the --zeek-logs directory (nil when neither is asked for).
// Live, it runs after the drop and before the process confines itself.
func (o *options) openExports(stderr io.Writer, allow *report.Allowlist) (report.Exporter, error) {
	ipfix, err := o.openIPFIX(stderr)
	if err != nil {
		return nil, err
	}
	zeek, err := o.openZeekLogs(allow)
	if err != nil {
		if ipfix != nil {
			ipfix.Close()
		}
		return nil, err
	}
	if zeek == nil {
		return report.Exporters(ipfix), nil
	}
	return report.Exporters(ipfix, zeek), nil
}

// openZeekLogs creates the --zeek-logs directory and its logs.
func (o *options) openZeekLogs(allow *report.Allowlist) (report.Exporter, error) {
	if o.zeekLogs == "" {
		return nil, nil
	}
	if err := os.MkdirAll(o.zeekLogs, 0o755); err != nil {
		return nil, exportError(err)
	}
	z, err := report.NewZeekLogs(o.zeekLogs, func(name string) (io.WriteCloser, error) {
		return os.Create(filepath.Join(o.zeekLogs, name))
	}, o.zeekJSON, allow, o.minSeverity)
	if err != nil {
		return nil, exportError(err)
	}
	return z, nil
}

// exportError names --zeek-logs; a permission problem stays one (exit 4,
// exitCode), anything else is exit 9.
func exportError(err error) error { return fmt.Errorf("--zeek-logs: %w", err) }
