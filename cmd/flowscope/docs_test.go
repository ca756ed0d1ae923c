package main

// The man page and the shell completions are generated from the flag
// definitions; this test regenerates them and compares the committed
// files, so that they cannot drift from the flags.
//
//	go test ./cmd/flowscope -run Docs -update   # rewrite doc/

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowscope/flowscope/internal/clidoc"
)

const docDir = "../../doc"

var docFiles = []struct {
	path  string
	write func(io.Writer, *clidoc.Page) error
}{
	{"flowscope.1", clidoc.WriteMan},
	{"completions/flowscope.bash", clidoc.WriteBash},
	{"completions/_flowscope", clidoc.WriteZsh},
	{"completions/flowscope.fish", clidoc.WriteFish},
}

func TestDocsUpToDate(t *testing.T) {
	page := docPage()
	for _, d := range docFiles {
		t.Run(d.path, func(t *testing.T) {
			var b bytes.Buffer
			if err := d.write(&b, page); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(docDir, d.path)
			if goldenUpdating() {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./cmd/flowscope -run Docs -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s is stale: the flags changed (run go test ./cmd/flowscope -run Docs -update):\n%s", path, goldenDiff(want, b.Bytes()))
			}
		})
	}
}

// TestDocsContent checks what the generated files say, beyond their bytes:
// every flag and command is there, and the shells and groff accept them.
func TestDocsContent(t *testing.T) {
	page := docPage()
	var man, bash bytes.Buffer
	if err := clidoc.WriteMan(&man, page); err != nil {
		t.Fatal(err)
	}
	if err := clidoc.WriteBash(&bash, page); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"read", "wide", "bytes", "version", "interface", "write", "engine"} {
		if !strings.Contains(man.String(), `\-\-`+strings.ReplaceAll(name, "-", `\-`)) {
			t.Errorf("man page lacks --%s", name)
		}
		if !strings.Contains(bash.String(), "--"+name) {
			t.Errorf("bash completion lacks --%s", name)
		}
	}
	for _, want := range []string{".SH COMMANDS", ".B check", ".B baseline", "\\-\\-rules", ".SH EXIT STATUS", ".SH EXAMPLES"} {
		if !strings.Contains(man.String(), want) {
			t.Errorf("man page lacks %q", want)
		}
	}
	// The bash script must parse, and complete -o to the formats.
	script := bash.String() + `
COMP_WORDS=(flowscope -o j); COMP_CWORD=2; _flowscope; echo "${COMPREPLY[*]}"
COMP_WORDS=(flowscope ba); COMP_CWORD=1; _flowscope; echo "${COMPREPLY[*]}"
COMP_WORDS=(flowscope --wi); COMP_CWORD=1; _flowscope; echo "${COMPREPLY[*]}"
COMP_WORDS=(flowscope check --ru); COMP_CWORD=2; _flowscope; echo "${COMPREPLY[*]}"
`
	sh := exec.Command("bash", "-c", script)
	sh.Dir = t.TempDir() // no file names among the candidates
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("bash: %v\n%s", err, out)
	}
	if got, want := string(out), "json\nbaseline\n--wide\n--rules\n"; got != want {
		t.Errorf("bash completions = %q, want %q", got, want)
	}
	cmd := exec.Command("groff", "-man", "-Tutf8", "-ww", "-z")
	cmd.Stdin = &man
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("groff warns about the man page: %v\n%s", err, out)
	}
}

// TestFishZshCompletions runs the committed fish and zsh completions in
// their shells: fish completes as bash does; zsh parses the script and
// loads _flowscope from the fpath, as `make install` puts it.
func TestFishZshCompletions(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "doc", "completions"))
	if err != nil {
		t.Fatal(err)
	}
	fish := exec.Command("fish", "-c", "source "+filepath.Join(dir, "flowscope.fish")+`
for line in "flowscope -o j" "flowscope ba" "flowscope --wi" "flowscope check --ru"
	complete -C "$line" | string replace -r '\t.*' ''
end
true # string replace fails when a line had no description`)
	fish.Dir = t.TempDir()
	out, err := fish.CombinedOutput()
	if err != nil {
		t.Fatalf("fish: %v\n%s", err, out)
	}
	if got, want := string(out), "json\nbaseline\n--wide\n--rules\n"; got != want {
		t.Errorf("fish completions = %q, want %q", got, want)
	}
	zsh := exec.Command("zsh", "-f", "-c", "zsh -n "+filepath.Join(dir, "_flowscope")+
		" && autoload -Uz compinit && compinit -u -D && fpath=("+dir+" $fpath) && autoload -Uz _flowscope && whence -w _flowscope")
	zsh.Dir = t.TempDir()
	out, err = zsh.CombinedOutput()
	if err != nil || string(out) != "_flowscope: function\n" {
		t.Errorf("zsh: %v\n%s", err, out)
	}
}
