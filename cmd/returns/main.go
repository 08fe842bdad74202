// Command returns turns quarterly Excel returns of party organisations into
// trustworthy data and quarterly digests. See README.md, or run
// `returns --help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/returns-project/returns/cmd/returns/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
