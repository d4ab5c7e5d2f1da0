package main

import (
	"io/fs"
	"testing"
)

func TestSoftMemoryLimit(t *testing.T) {
	const v2, v1 = "/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"
	tests := []struct {
		name  string
		env   map[string]string
		files map[string]string
		want  int64
	}{
		{"cgroup v2 limit", nil, map[string]string{v2: "2147483648\n"}, 1932735283},
		{"cgroup v1 limit", nil, map[string]string{v1: "1073741824\n"}, 966367641},
		{"cgroup v2 unlimited", nil, map[string]string{v2: "max\n"}, 0},
		{"cgroup v1 unlimited", nil, map[string]string{v1: "9223372036854771712\n"}, 0},
		{"no cgroup", nil, nil, 0},
		{"user set GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, map[string]string{v2: "2147483648"}, 0},
		{"user set GOGC", map[string]string{"GOGC": "50"}, map[string]string{v2: "2147483648"}, 0},
		{"user set GOGC=off", map[string]string{"GOGC": "off"}, map[string]string{v2: "2147483648"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			readFile := func(p string) ([]byte, error) {
				if s, ok := tt.files[p]; ok {
					return []byte(s), nil
				}
				return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
			}
			if got := softMemoryLimit(getenv, readFile); got != tt.want {
				t.Errorf("softMemoryLimit = %d, want %d", got, tt.want)
			}
		})
	}
}
