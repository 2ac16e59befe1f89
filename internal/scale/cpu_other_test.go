//go:build !unix

package scale_test

import "time"

// cpuTime is 0: the CPU time is not told here.
func cpuTime() time.Duration { return 0 }
