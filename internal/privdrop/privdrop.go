// Package privdrop gives up root for an unprivileged user once the capture
// handle is open, so that no packet parser runs as root (as tcpdump -Z).
package privdrop

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// Target is the user to become.
type Target struct {
	Name     string
	UID, GID int
	Groups   []int
}

// Lookup resolves a user name or numeric uid.
func Lookup(name string) (*Target, error) {
	u, err := user.Lookup(name)
	if err != nil {
		if _, nerr := strconv.Atoi(name); nerr == nil {
			u, err = user.LookupId(name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("dropping privileges: no user %q: %w", name, err)
	}
	t := &Target{Name: u.Username}
	if t.UID, err = strconv.Atoi(u.Uid); err != nil {
		return nil, fmt.Errorf("dropping privileges: user %q has uid %q", name, u.Uid)
	}
	if t.GID, err = strconv.Atoi(u.Gid); err != nil {
		return nil, fmt.Errorf("dropping privileges: user %q has gid %q", name, u.Gid)
	}
	gids, _ := u.GroupIds() // no supplementary groups is fine
	for _, g := range gids {
		if n, err := strconv.Atoi(g); err == nil {
			t.Groups = append(t.Groups, n)
		}
	}
	if len(t.Groups) == 0 {
		t.Groups = []int{t.GID}
	}
	return t, nil
}

// FromSudo returns the user that ran sudo, or nil when not started by sudo
// as root (or when sudo was run by root itself).
func FromSudo() *Target {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, err1 := strconv.Atoi(os.Getenv("SUDO_UID"))
	gid, err2 := strconv.Atoi(os.Getenv("SUDO_GID"))
	if err1 != nil || err2 != nil || uid == 0 {
		return nil
	}
	t := &Target{Name: os.Getenv("SUDO_USER"), UID: uid, GID: gid}
	if lt, err := Lookup(strconv.Itoa(uid)); err == nil && lt.UID == uid {
		t.Groups = lt.Groups
	}
	if len(t.Groups) == 0 {
		t.Groups = []int{gid}
	}
	if t.Name == "" {
		t.Name = strconv.Itoa(uid)
	}
	return t
}

// Drop switches every thread of the process to t's uid, gid and groups,
// and checks that root cannot be regained.
func Drop(t *Target) error {
	if err := syscall.Setgroups(t.Groups); err != nil {
		return fmt.Errorf("dropping privileges to %s: setgroups: %w", t.Name, err)
	}
	if err := syscall.Setgid(t.GID); err != nil {
		return fmt.Errorf("dropping privileges to %s: setgid %d: %w", t.Name, t.GID, err)
	}
	if err := syscall.Setuid(t.UID); err != nil {
		return fmt.Errorf("dropping privileges to %s: setuid %d: %w", t.Name, t.UID, err)
	}
	if t.UID != 0 {
		if err := syscall.Setuid(0); err == nil {
			return fmt.Errorf("dropping privileges to %s: root could be regained", t.Name)
		}
	}
	return nil
}
