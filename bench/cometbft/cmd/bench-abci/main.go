// bench-abci serves the benchmark application (package app) over an ABCI socket, out of CometBFT's process.
//
//	bench-abci --mode kv|ed25519 --addr unix:///path/app.sock
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/cometbft/cometbft/abci/server"
	cmtlog "github.com/cometbft/cometbft/libs/log"

	"balanceai/bench/cometbft/app"
)

func main() {
	mode := flag.String("mode", "kv", "kv | ed25519")
	addr := flag.String("addr", "unix://bench-abci.sock", "ABCI listen address (unix://path or tcp://host:port)")
	flag.Parse()
	m, err := app.ParseMode(*mode)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	srv := server.NewSocketServer(*addr, app.New(m))
	srv.SetLogger(cmtlog.NewTMLogger(cmtlog.NewSyncWriter(os.Stderr)).With("module", "abci-server"))
	if err := srv.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-abci:", err)
		os.Exit(1)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	_ = srv.Stop()
}
