package rules

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// Limits on a rules file. It may come with a pull request, so a hostile one
// must be refused fast and in little memory rather than trusted.
const (
	// ParseMaxBytes caps the file; real rules files (a baseline of
	// thousands of servers) are a few hundred KB.
	ParseMaxBytes = 1 << 20
	// ParseMaxDepth caps the nesting of mappings and lists (a rules file
	// needs 7: document, rules, rule, body, per_flow or selector, list).
	ParseMaxDepth = 16
	// ParseMaxAliased caps the nodes reached through YAML aliases, all
	// aliases together: a "billion laughs" of nested aliases stops there.
	ParseMaxAliased = 10000
	// parseMaxErrors caps the errors listed; the rest are counted.
	parseMaxErrors = 20
	// parseScanDepth is where the pre-scan gives up on brackets or block
	// indicators, before yaml.v3's own limit (10000, reported without a
	// column); the tree walk enforces ParseMaxDepth exactly below it.
	parseScanDepth = 1000
)

// parsePos returns the 1-based line and column of byte offset off in src.
func parsePos(src []byte, off int) (line, col int) {
	off = min(off, len(src))
	line = 1 + bytes.Count(src[:off], []byte{'\n'})
	return line, off - bytes.LastIndexByte(src[:off], '\n')
}

// parsePrescan finds nesting deeper than parseScanDepth: flow brackets
// (outside quotes and comments) across the file, and block indicators
// ("- - - x", "? ") or indentation within a line. It is a backstop for
// yaml.v3's depth error, which has no column; -1 when none.
func parsePrescan(src []byte) int {
	depth := 0
	var quote byte
	lineStart := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quote != 0 {
			switch {
			case quote == '"' && c == '\\':
				i++
			case c == quote && quote == '\'' && i+1 < len(src) && src[i+1] == '\'':
				i++ // '' is a quote inside a single-quoted scalar
			case c == quote:
				quote = 0
			}
			continue
		}
		if lineStart {
			lineStart = false
			j := i
			for j < len(src) && (src[j] == ' ' || src[j] == '-' || src[j] == '?') {
				j++
			}
			if j-i > parseScanDepth {
				return i + parseScanDepth
			}
		}
		prev := byte(' ')
		if i > 0 {
			prev = src[i-1]
		}
		token := prev == ' ' || prev == '\t' || prev == '\n' || prev == '[' || prev == '{' || prev == ',' || prev == ':'
		switch {
		case c == '\n':
			lineStart = true
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n' || i == 0):
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case (c == '"' || c == '\'') && token:
			quote = c
		case (c == '[' || c == '{') && token:
			if depth++; depth > parseScanDepth {
				return i
			}
		case (c == ']' || c == '}') && depth > 0:
			depth--
		}
	}
	return -1
}

// parseAnchorRe finds the anchor yaml.v3 names, without a position, in
// "unknown anchor 'x' referenced".
var parseAnchorRe = regexp.MustCompile(`unknown anchor '([^']*)' referenced`)

// parseLocate adds the position yaml.v3 leaves out of an unknown-anchor
// error: the first "*name" in the file.
func parseLocate(src []byte, name, msg string) (string, bool) {
	m := parseAnchorRe.FindStringSubmatch(msg)
	if m == nil {
		return "", false
	}
	i := bytes.Index(src, []byte("*"+m[1]))
	if i < 0 {
		return "", false
	}
	line, col := parsePos(src, i)
	return fmt.Sprintf("%s:%d:%d: %s", name, line, col, strings.TrimPrefix(msg, "yaml: ")), true
}

// parseLimits walks the whole document as the parser will see it, aliases
// followed, and stops at the first alias that contains itself, at
// ParseMaxDepth, or when aliases have expanded to ParseMaxAliased nodes.
// After it passes, every later walk of the tree is bounded too.
type parseLimits struct {
	p       *parseState
	aliased int
	path    map[*yaml.Node]bool // the nodes from the root to here
}

func (l *parseLimits) walk(n *yaml.Node, depth int, viaAlias bool) bool {
	if viaAlias {
		if l.aliased++; l.aliased > ParseMaxAliased {
			l.p.errf(n, "aliases expand to more than %d nodes; refusing the file", ParseMaxAliased)
			return false
		}
	}
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			l.p.errf(n, "alias *%s names no anchor", n.Value)
			return false
		}
		if l.path[n.Alias] {
			l.p.errf(n, "alias *%s is inside the node it stands for", n.Value)
			return false
		}
		return l.walk(n.Alias, depth, true)
	}
	if depth > ParseMaxDepth {
		l.p.errf(n, "nested deeper than %d levels", ParseMaxDepth)
		return false
	}
	if len(n.Content) == 0 {
		return true
	}
	l.path[n] = true
	defer delete(l.path, n)
	for _, c := range n.Content {
		if !l.walk(c, depth+1, viaAlias) {
			return false
		}
	}
	return true
}
