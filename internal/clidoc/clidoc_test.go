package clidoc

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestEscapes(t *testing.T) {
	for _, c := range []struct{ in, roff, clause, zsh string }{
		{"plain", "plain", "plain", "plain"},
		{"-r FILE", `\-r FILE`, "-r FILE", "-r FILE"},
		{`a\b`, `a\eb`, `a\b`, `a\\b`},
		{".starts with a dot", `\&.starts with a dot`, ".starts with a dot", ".starts with a dot"},
		{"count KIND: frame (as tshark) or ip; more", "count KIND: frame (as tshark) or ip; more", "count KIND: frame or ip", `count KIND\: frame or ip`},
		{"it's [x]", "it's [x]", "it's [x]", `it'\''s \[x\]`},
	} {
		if got := roff(c.in); got != c.roff {
			t.Errorf("roff(%q) = %q, want %q", c.in, got, c.roff)
		}
		if got := firstClause(c.in); got != c.clause {
			t.Errorf("firstClause(%q) = %q, want %q", c.in, got, c.clause)
		}
		if got := zshDesc(c.in); got != c.zsh {
			t.Errorf("zshDesc(%q) = %q, want %q", c.in, got, c.zsh)
		}
	}
}

// TestFlags: each writer renders a flag's names, value placeholder,
// default and completion.
func TestFlags(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	fs.SortFlags = false
	fs.StringArrayP("read", "r", nil, "read `FILE`")
	fs.String("mode", "fast", "the `MODE`")
	fs.Bool("wide", false, "all columns")
	fs.Int("top", 20, "rows")
	fs.SetAnnotation("read", Complete, []string{"file"})
	fs.SetAnnotation("mode", Complete, []string{"words", "fast", "slow"})
	p := &Page{Name: "x", Summary: "s", Flags: fs, Commands: []Command{{Name: "sub", Summary: "does sub"}}}
	cases := []struct {
		name  string
		write func(*strings.Builder) error
		want  []string
	}{
		{"man", func(b *strings.Builder) error { return WriteMan(b, p) }, []string{
			`\fB\-r\fR, \fB\-\-read\fR \fIFILE\fR` + "\nread FILE\n", `\fB\-\-mode\fR \fIMODE\fR` + "\nthe MODE (default: fast)\n",
			`\fB\-\-wide\fR` + "\nall columns\n", `\fB\-\-top\fR \fIint\fR` + "\nrows (default: 20)\n", ".B sub\ndoes sub\n"}},
		{"bash", func(b *strings.Builder) error { return WriteBash(b, p) }, []string{
			"    -r|--read)\n        COMPREPLY=($(compgen -f", "    --mode)\n        COMPREPLY=($(compgen -W 'fast slow'",
			"    --top)\n        return ;;", "compgen -W '-r --read --mode --wide --top'", "compgen -W 'sub'"}},
		{"zsh", func(b *strings.Builder) error { return WriteZsh(b, p) }, []string{
			`'*'{-r,--read}'[read FILE]:FILE:_files'`, `'(--mode)'--mode'[the MODE]:MODE:(fast slow)'`, `'(--wide)'--wide'[all columns]'`, "'sub:does sub'"}},
		{"fish", func(b *strings.Builder) error { return WriteFish(b, p) }, []string{
			"complete -c x -s r -l read -r -F -d 'read FILE'", "complete -c x -l mode -x -a 'fast slow' -d 'the MODE'",
			"complete -c x -l wide -d 'all columns'", "complete -c x -n __fish_use_subcommand -f -a sub -d 'does sub'"}},
	}
	for _, c := range cases {
		var b strings.Builder
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		for _, w := range c.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s lacks %q:\n%s", c.name, w, b.String())
			}
		}
	}
}

func TestCommandFlagNames(t *testing.T) {
	// As pflag's PrintDefaults writes them.
	c := Command{Usage: "usage: x sub --rules FILE capture\n\n  -r, --rules FILE   rules FILE (YAML)\n      --strict       also fail when -x is --odd\n"}
	if got := strings.Join(c.flagNames(), " "); got != "-r --rules --strict" {
		t.Errorf("flagNames = %q", got)
	}
}

func TestRoff(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"--top N", `\-\-top N`},
		{`a\b`, `a\eb`},
		{".starts with a dot", `\&.starts with a dot`},
		{"then … and → more", `then \[u2026] and \[u2192] more`},
	} {
		if got := roff(tc.in); got != tc.want {
			t.Errorf("roff(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
