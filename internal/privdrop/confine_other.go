//go:build !linux

package privdrop

// Confine does nothing where neither no_new_privs nor Landlock exist.
func Confine(read ...string) (string, error) {
	return "no confinement on this system", nil
}
