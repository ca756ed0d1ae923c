// Package clidoc writes a command's man page and its bash, zsh and fish
// completions from its pflag.FlagSet, so that they cannot drift from the
// flags the command really parses.
package clidoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// Complete is the flag annotation key that says how to complete a flag's
// value: "file", "interface", "user", or "words" followed by the words.
// A flag that takes a value and has no annotation gets no completion.
const Complete = "clidoc_complete"

// Command is a subcommand: its name, one line saying what it does, and
// its own usage text (pflag's, shown verbatim in the man page; its flags
// are completed from it).
type Command struct {
	Name, Summary, Usage string
}

// flagNames lists the long flags (and shorthands) a pflag usage text
// shows, one per line as PrintDefaults writes them: "  -x, --name ...".
func (c Command) flagNames() []string {
	var out []string
	for _, line := range strings.Split(c.Usage, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && len(f[0]) == 3 && f[0][0] == '-' && f[0][1] != '-' && f[0][2] == ',' && len(f) > 1 {
			out = append(out, f[0][:2])
			f = f[1:]
		}
		if len(f) > 0 && strings.HasPrefix(f[0], "--") && len(f[0]) > 2 {
			out = append(out, f[0])
		}
	}
	return out
}

// Example is a command line and what it does.
type Example struct {
	Command, Does string
}

// Page is what the man page and the completions are made of.
type Page struct {
	Name        string   // the command, e.g. "flowscope"
	Summary     string   // NAME line: what it is, in a few words
	Synopsis    []string // argument lines after the name
	Description []string // paragraphs
	Flags       *pflag.FlagSet
	Commands    []Command
	Examples    []Example
	ExitCodes   [][2]string // code, meaning
	SeeAlso     []string    // e.g. "tcpdump(8)"
}

// flags lists the visible flags in definition order.
func (p *Page) flags() []*pflag.Flag {
	var out []*pflag.Flag
	p.Flags.VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			out = append(out, f)
		}
	})
	return out
}

// takesValue reports whether the flag needs an argument.
func takesValue(f *pflag.Flag) bool { return f.NoOptDefVal == "" }

// repeatable reports whether the flag may be given several times.
func repeatable(f *pflag.Flag) bool {
	t := f.Value.Type()
	return strings.HasSuffix(t, "Array") || strings.HasSuffix(t, "Slice")
}

// argName is the flag's value placeholder: the back-quoted word of its
// usage, else its type.
func argName(f *pflag.Flag) string {
	name, _ := pflag.UnquoteUsage(f)
	switch name {
	case "", "stringArray", "strings", "stringSlice":
		return "string"
	}
	return name
}

// usage is the flag's help text without back quotes.
func usage(f *pflag.Flag) string {
	_, u := pflag.UnquoteUsage(f)
	return u
}

// hasDefault reports whether the default is worth saying (as pflag's own
// usage does: not for zero values).
func hasDefault(f *pflag.Flag) bool {
	switch f.DefValue {
	case "", "0", "false", "[]", "0s":
		return false
	}
	return true
}

// completion returns how the flag's value is completed.
func completion(f *pflag.Flag) (kind string, words []string) {
	a := f.Annotations[Complete]
	if len(a) == 0 {
		return "", nil
	}
	return a[0], a[1:]
}

// WriteMan writes the page as a man(7) page, section 1.
func WriteMan(w io.Writer, p *Page) error {
	var b strings.Builder
	up := strings.ToUpper(p.Name)
	fmt.Fprintf(&b, ".\\\" Generated from the flag definitions by internal/clidoc; do not edit.\n")
	fmt.Fprintf(&b, ".TH %s 1 \"\" \"%s\" \"User Commands\"\n", up, p.Name)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", p.Name, roff(p.Summary))
	b.WriteString(".SH SYNOPSIS\n")
	for i, s := range p.Synopsis {
		if i > 0 {
			b.WriteString(".br\n")
		}
		fmt.Fprintf(&b, ".B %s\n%s\n", p.Name, roff(s))
	}
	b.WriteString(".SH DESCRIPTION\n")
	for i, para := range p.Description {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		b.WriteString(roff(para) + "\n")
	}
	b.WriteString(".SH OPTIONS\n")
	for _, f := range p.flags() {
		b.WriteString(".TP\n")
		var names []string
		if f.Shorthand != "" {
			names = append(names, "\\fB\\-"+f.Shorthand+"\\fR")
		}
		names = append(names, "\\fB\\-\\-"+roffFlag(f.Name)+"\\fR")
		head := strings.Join(names, ", ")
		if takesValue(f) {
			head += " \\fI" + roff(argName(f)) + "\\fR"
		}
		b.WriteString(head + "\n")
		text := roff(usage(f))
		if hasDefault(f) {
			text += " (default: " + roff(f.DefValue) + ")"
		}
		b.WriteString(text + "\n")
	}
	if len(p.Commands) > 0 {
		b.WriteString(".SH COMMANDS\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(c.Name), roff(c.Summary))
			if c.Usage != "" {
				b.WriteString(".IP\n.nf\n")
				for _, line := range strings.Split(strings.TrimRight(c.Usage, "\n"), "\n") {
					b.WriteString(roffLine(line) + "\n")
				}
				b.WriteString(".fi\n")
			}
		}
	}
	if len(p.Examples) > 0 {
		b.WriteString(".SH EXAMPLES\n")
		for _, e := range p.Examples {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(e.Command), roff(e.Does))
		}
	}
	if len(p.ExitCodes) > 0 {
		b.WriteString(".SH EXIT STATUS\n")
		for _, c := range p.ExitCodes {
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roff(c[0]), roff(c[1]))
		}
	}
	if len(p.SeeAlso) > 0 {
		b.WriteString(".SH SEE ALSO\n")
		for i, s := range p.SeeAlso {
			name, sec, _ := strings.Cut(s, "(")
			sep := ","
			if i == len(p.SeeAlso)-1 {
				sep = ""
			}
			fmt.Fprintf(&b, ".BR %s (%s%s\n", roff(name), sec, sep)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// roff escapes text for a man page line: backslashes, and hyphens so that
// flags copy and paste as ASCII; a line may not start with a control
// character.
func roff(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	s = strings.ReplaceAll(s, "\n", " ")
	s = roffUnicode(s)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}

// roffUnicode writes characters beyond ASCII ("…", "→") as groff's \[uXXXX]:
// groff reads its input as Latin-1 and warns on UTF-8 bytes.
func roffUnicode(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, `\[u%04X]`, r)
	}
	return b.String()
}

// roffLine escapes a preformatted line; an empty one stays empty.
func roffLine(s string) string {
	if s == "" {
		return ""
	}
	return roff(s)
}

func roffFlag(name string) string { return strings.ReplaceAll(name, "-", `\-`) }

// shellQuote quotes s for sh in single quotes.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// firstClause shortens a usage text for completion menus, which show one
// short line: without parenthesised asides, up to the first ';'.
func firstClause(s string) string {
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')' && depth > 0:
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	s, _, _ = strings.Cut(b.String(), ";")
	return strings.Join(strings.Fields(s), " ")
}

// WriteBash writes a bash completion script (complete -F).
func WriteBash(w io.Writer, p *Page) error {
	var b strings.Builder
	fn := "_" + strings.ReplaceAll(p.Name, "-", "_")
	fmt.Fprintf(&b, "# bash completion for %s. Generated from the flag definitions by internal/clidoc; do not edit.\n", p.Name)
	fmt.Fprintf(&b, "%s() {\n", fn)
	b.WriteString("    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n")
	b.WriteString("    case $prev in\n")
	byKind := map[string][]string{}
	var kinds []string
	var allFlags []string
	for _, f := range p.flags() {
		names := []string{"--" + f.Name}
		if f.Shorthand != "" {
			names = append([]string{"-" + f.Shorthand}, names...)
		}
		allFlags = append(allFlags, names...)
		if !takesValue(f) {
			continue
		}
		kind, words := completion(f)
		key := kind
		if kind == "words" {
			key = "words " + strings.Join(words, " ")
		}
		if _, ok := byKind[key]; !ok {
			kinds = append(kinds, key)
		}
		byKind[key] = append(byKind[key], names...)
	}
	for _, key := range kinds {
		fmt.Fprintf(&b, "    %s)\n", strings.Join(byKind[key], "|"))
		switch {
		case key == "file":
			b.WriteString("        COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n")
		case key == "interface":
			b.WriteString("        COMPREPLY=($(compgen -W \"any $(ls /sys/class/net 2>/dev/null)\" -- \"$cur\")); return ;;\n")
		case key == "user":
			b.WriteString("        COMPREPLY=($(compgen -u -- \"$cur\")); return ;;\n")
		case strings.HasPrefix(key, "words "):
			fmt.Fprintf(&b, "        COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n", shellQuote(strings.TrimPrefix(key, "words ")))
		default: // a number, a duration, a size: nothing to offer
			b.WriteString("        return ;;\n")
		}
	}
	b.WriteString("    esac\n")
	var cmds []string
	for _, c := range p.Commands {
		cmds = append(cmds, c.Name)
	}
	if len(cmds) > 0 {
		fmt.Fprintf(&b, "    if [[ $COMP_CWORD -eq 1 && $cur != -* ]]; then\n        COMPREPLY=($(compgen -W %s -- \"$cur\") $(compgen -f -- \"$cur\")); return\n    fi\n", shellQuote(strings.Join(cmds, " ")))
		b.WriteString("    case ${COMP_WORDS[1]} in\n")
		for _, c := range p.Commands {
			if fl := c.flagNames(); len(fl) > 0 {
				fmt.Fprintf(&b, "    %s)\n        if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W %s -- \"$cur\")); else COMPREPLY=($(compgen -f -- \"$cur\")); fi\n        return ;;\n", c.Name, shellQuote(strings.Join(fl, " ")))
			}
		}
		fmt.Fprintf(&b, "    %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n    esac\n", strings.Join(cmds, "|"))
	}
	fmt.Fprintf(&b, "    if [[ $cur == -* ]]; then\n        COMPREPLY=($(compgen -W %s -- \"$cur\")); return\n    fi\n", shellQuote(strings.Join(allFlags, " ")))
	b.WriteString("    COMPREPLY=($(compgen -f -- \"$cur\"))\n}\n")
	fmt.Fprintf(&b, "complete -o filenames -F %s %s\n", fn, p.Name)
	_, err := io.WriteString(w, b.String())
	return err
}

// zshDesc escapes a description for _arguments' [...] and single quotes.
func zshDesc(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`, ":", `\:`, "'", `'\''`)
	return r.Replace(firstClause(s))
}

// WriteZsh writes a zsh completion function (#compdef).
func WriteZsh(w io.Writer, p *Page) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#compdef %s\n# zsh completion for %s. Generated from the flag definitions by internal/clidoc; do not edit.\n\n", p.Name, p.Name)
	if len(p.Commands) > 0 {
		b.WriteString("local -a commands\ncommands=(\n")
		for _, c := range p.Commands {
			fmt.Fprintf(&b, "  '%s:%s'\n", c.Name, strings.ReplaceAll(firstClause(c.Summary), "'", `'\''`))
		}
		b.WriteString(")\n")
		b.WriteString("if (( CURRENT > 2 )) && (( ${commands[(I)${words[2]}:*]} )); then\n")
		b.WriteString("  case $words[2] in\n")
		for _, c := range p.Commands {
			if fl := c.flagNames(); len(fl) > 0 {
				fmt.Fprintf(&b, "  %s) compadd -- %s ;;\n", c.Name, strings.Join(fl, " "))
			}
		}
		b.WriteString("  esac\n  _files\n  return\nfi\n")
		b.WriteString("if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n  _describe -t commands command commands\n  _files\n  return\nfi\n")
	}
	b.WriteString("_arguments -s -S \\\n")
	for _, f := range p.flags() {
		excl := "--" + f.Name
		names := "--" + f.Name
		if f.Shorthand != "" {
			excl = "-" + f.Shorthand + " --" + f.Name
			names = "{-" + f.Shorthand + ",--" + f.Name + "}"
		}
		prefix := "'(" + excl + ")'"
		if repeatable(f) {
			prefix = "'*'"
		}
		spec := prefix + names + "'[" + zshDesc(usage(f)) + "]"
		if takesValue(f) {
			action := " "
			switch kind, words := completion(f); kind {
			case "file":
				action = "_files"
			case "interface":
				action = "_net_interfaces"
			case "user":
				action = "_users"
			case "words":
				action = "(" + strings.Join(words, " ") + ")"
			}
			spec += ":" + strings.ReplaceAll(argName(f), ":", `\:`) + ":" + action
		}
		b.WriteString("  " + spec + "' \\\n")
	}
	b.WriteString("  '*:BPF filter expression or file:_files'\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteFish writes fish completions (complete -c).
func WriteFish(w io.Writer, p *Page) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# fish completion for %s. Generated from the flag definitions by internal/clidoc; do not edit.\n", p.Name)
	for _, c := range p.Commands {
		fmt.Fprintf(&b, "complete -c %s -n __fish_use_subcommand -f -a %s -d %s\n", p.Name, c.Name, shellQuote(firstClause(c.Summary)))
		for _, fl := range c.flagNames() {
			opt := "-l " + strings.TrimPrefix(fl, "--")
			if !strings.HasPrefix(fl, "--") {
				opt = "-s " + fl[1:]
			}
			fmt.Fprintf(&b, "complete -c %s -n '__fish_seen_subcommand_from %s' %s\n", p.Name, c.Name, opt)
		}
	}
	for _, f := range p.flags() {
		line := "complete -c " + p.Name
		if f.Shorthand != "" {
			line += " -s " + f.Shorthand
		}
		line += " -l " + f.Name
		if takesValue(f) {
			switch kind, words := completion(f); kind {
			case "file":
				line += " -r -F"
			case "interface":
				line += " -x -a '(__fish_print_interfaces) any'"
			case "user":
				line += " -x -a '(__fish_complete_users)'"
			case "words":
				line += " -x -a " + shellQuote(strings.Join(words, " "))
			default:
				line += " -x"
			}
		}
		line += " -d " + shellQuote(firstClause(usage(f)))
		b.WriteString(line + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
