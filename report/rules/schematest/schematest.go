// Package schematest validates flowscope's JUnit XML and SARIF reports
// against the published schemas kept in testdata/schemas/ at the root of
// the module. It is for tests only: nothing the flowscope binary links
// imports it.
package schematest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schema files, in Dir.
const (
	SARIFSchema = "sarif-schema-2.1.0.json"
	JUnitSchema = "jenkins-junit.xsd"
)

// Dir is testdata/schemas/ of the module, found from this file's own path
// so that tests of any package reach it.
func Dir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "schemas")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "schemas")
}

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	path := filepath.Join(Dir(), SARIFSchema)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	// "format" is only an annotation in the schema's draft (2020-12);
	// asserting it also checks the uri, uri-reference and date-time values.
	c.AssertFormat()
	const url = "file:///schemas/" + SARIFSchema // a name for the resource; nothing is fetched
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// ValidateSARIF checks a SARIF log against the SARIF 2.1.0 JSON schema; the
// error lists every place the log breaks it.
func ValidateSARIF(log []byte) error {
	sch, err := sarifSchema()
	if err != nil {
		return fmt.Errorf("loading the SARIF schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(log))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return sch.Validate(inst)
}

// XMLLint returns the path of xmllint (Debian's libxml2-utils), which
// validates the JUnit XML. Without it the test is skipped, except under CI
// (CI set in the environment), where a missing validator must not pass
// unnoticed: the test fails.
func XMLLint(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err == nil {
		return path
	}
	const msg = "xmllint not found; it validates the JUnit XML against " + JUnitSchema +
		" (install Debian's libxml2-utils: make deps-test)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	} else {
		t.Skip(msg)
	}
	return ""
}

// ValidateJUnit checks a JUnit XML document against the Jenkins JUnit
// schema with xmllint (from XMLLint); the error holds xmllint's messages.
func ValidateJUnit(xmllint string, doc []byte) error {
	f, err := os.CreateTemp("", "flowscope-junit-*.xml")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(doc); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return ValidateJUnitFile(xmllint, f.Name())
}

// ValidateJUnitFile is ValidateJUnit for a file on disk.
func ValidateJUnitFile(xmllint, path string) error {
	// --nonet: the schema and the document are local; nothing is fetched.
	cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join(Dir(), JUnitSchema), path)
	out, err := cmd.CombinedOutput()
	if err == nil {
		return nil
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		return fmt.Errorf("running xmllint: %w", err)
	}
	return fmt.Errorf("%s", strings.TrimSpace(string(out)))
}
