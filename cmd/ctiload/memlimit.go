package main

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// The Go runtime knows nothing of a container's memory limit: with GOGC=100 the heap grows to
// twice what survived the last collection, so a run with many idle VUs can be killed by the
// cgroup's OOM killer while half of its heap is garbage. When the user set neither GOGC nor
// GOMEMLIMIT, ctiload gives the collector a soft limit of 90% of the cgroup's memory limit; the
// collector then runs more often as the heap nears it instead of letting it double. Whatever the
// user set is left alone.

// cgroupLimitFiles are where cgroup v2 and v1 publish the memory limit of the process's cgroup.
var cgroupLimitFiles = []string{
	"/sys/fs/cgroup/memory.max",
	"/sys/fs/cgroup/memory/memory.limit_in_bytes",
}

// memoryLimitShare is the part of the cgroup limit given to the Go heap; the rest is for what the
// runtime does not count (stacks are counted; mmap'd files and kernel socket buffers are not).
const memoryLimitShare = 0.9

// softMemoryLimit returns the soft limit to set, or 0 when none should be: the user set GOGC or
// GOMEMLIMIT, or no cgroup limit is found ("max", cgroup v1's near-2^63 "unlimited", unreadable).
func softMemoryLimit(getenv func(string) string, readFile func(string) ([]byte, error)) int64 {
	if getenv("GOMEMLIMIT") != "" || getenv("GOGC") != "" {
		return 0
	}
	for _, f := range cgroupLimitFiles {
		b, err := readFile(f)
		if err != nil {
			continue
		}
		s := strings.TrimSpace(string(b))
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 || n >= 1<<62 {
			return 0 // "max" or unlimited
		}
		return int64(float64(n) * memoryLimitShare)
	}
	return 0
}

// applyMemoryPolicy sets the soft memory limit softMemoryLimit picks, if any.
func applyMemoryPolicy() {
	if lim := softMemoryLimit(os.Getenv, os.ReadFile); lim > 0 {
		debug.SetMemoryLimit(lim)
	}
}
