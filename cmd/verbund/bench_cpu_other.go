//go:build !unix

package main

import "time"

// cpuTime is unknown here: the bench leaves the processor time out.
func cpuTime() time.Duration { return 0 }
