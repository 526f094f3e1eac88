// bench-load: open-loop transaction load against a CometBFT localnet, measured like bench/src/transfers.ts.
//
//		bench-load --rpc http://127.0.0.1:36657,http://127.0.0.1:36667,... --mode kv|ed25519 --rate 600 --seconds 60
//		           [--drain 20] [--connections 128] [--broadcast sync|async] [--keys 200] [--pids node-0=PID,app-0=PID,...]
//
//	 1. Pre-builds every transaction (and its JSON-RPC body) before the timed window: ed25519 mode signs
//	    `rate × seconds` messages round-robin over --keys keys; kv mode builds `key=value` of the same size.
//	 2. Subscribes to `tm.event='NewBlock'` on the first RPC's WebSocket and records the local receive time of
//	    each of its transactions in a committed block (CometBFT commits are final: this is submit→finalized).
//	 3. Measures the cluster's idle CPU for --idle s, then offers `broadcast_tx_<mode>` at --rate for exactly
//	    --seconds (round-robin over the RPCs, at most --connections in flight; what could not be sent by the
//	    end of the window is `unsent`), then drains until every accepted transaction is committed or --drain s.
//	 4. Prints a table on stderr and one `RESULT {json}` line on stdout with the columns of transfers.ts:
//	    finalized tx/s, steady tx/s, submit→committed p50/p90/p99/max, CPU % per process from /proc/<pid>/stat
//	    (every --pids process and its descendants; this process is `client`, never in the cluster total),
//	    CPU ms per committed tx with the idle cost removed (and without: cpuMsPerTxTotalRaw).
package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"balanceai/bench/cometbft/app"
)

type options struct {
	rpcs        []string
	mode        app.Mode
	rate        float64
	seconds     float64
	drain       float64
	idle        float64
	connections int
	broadcast   string
	keys        int
	forgeEvery  int
	pids        map[string]int
	label       string
	run         string
	waitHeight  int64
}

func parseFlags() options {
	var o options
	rpcs := flag.String("rpc", "http://127.0.0.1:26657", "comma-separated CometBFT RPC URLs; submissions go round-robin, the first one is also subscribed to")
	mode := flag.String("mode", "kv", "transaction kind: kv | ed25519")
	flag.Float64Var(&o.rate, "rate", 600, "offered tx/s")
	flag.Float64Var(&o.seconds, "seconds", 60, "load window in seconds")
	flag.Float64Var(&o.drain, "drain", 20, "seconds to wait for commits after the window")
	flag.Float64Var(&o.idle, "idle", 4, "seconds of idle CPU measurement before the load")
	flag.IntVar(&o.connections, "connections", 128, "HTTP requests in flight at most")
	flag.StringVar(&o.broadcast, "broadcast", "sync", "broadcast_tx_sync (answer after CheckTx) | async (answer before)")
	flag.IntVar(&o.keys, "keys", 200, "signing keys (ed25519 mode), round-robin")
	flag.IntVar(&o.forgeEvery, "forge-every", 0, "ed25519 mode: corrupt the signature of every Nth tx (they must be refused: `CheckTx code 2`); 0 = none")
	pids := flag.String("pids", "", "label=pid,... of the cluster's processes (their descendants count too)")
	flag.StringVar(&o.label, "label", "", "free text copied into the result (e.g. the ABCI transport)")
	flag.StringVar(&o.run, "run", strconv.FormatInt(time.Now().UnixNano(), 36), "run id, part of every transaction (keeps them unique)")
	flag.Int64Var(&o.waitHeight, "wait-height", 2, "wait until every RPC reports at least this height before starting")
	flag.Parse()
	if flag.NArg() > 0 {
		fail("unexpected argument %q", flag.Arg(0))
	}
	var err error
	if o.mode, err = app.ParseMode(*mode); err != nil {
		fail("%v", err)
	}
	if o.broadcast != "sync" && o.broadcast != "async" {
		fail("--broadcast sync|async")
	}
	if o.forgeEvery < 0 || (o.forgeEvery > 0 && o.mode != app.ModeEd25519) {
		fail("--forge-every needs a non-negative N and --mode ed25519")
	}
	if o.rate <= 0 || o.seconds <= 0 || o.connections <= 0 || o.keys <= 0 || o.drain < 0 || o.idle <= 0 {
		fail("--rate, --seconds, --connections, --keys, --idle must be positive, --drain non-negative")
	}
	for _, r := range strings.Split(*rpcs, ",") {
		if r = strings.TrimRight(strings.TrimSpace(r), "/"); r != "" {
			o.rpcs = append(o.rpcs, r)
		}
	}
	if len(o.rpcs) == 0 {
		fail("--rpc needs at least one URL")
	}
	o.pids = map[string]int{}
	for _, p := range strings.Split(*pids, ",") {
		if p == "" {
			continue
		}
		label, pid, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(pid)
		if !ok || err != nil || n <= 0 {
			fail("--pids: bad entry %q (label=pid)", p)
		}
		o.pids[label] = n
	}
	return o
}

func fail(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "bench-load: "+f+"\n", a...)
	os.Exit(2)
}

var t0 = time.Now()

func logf(f string, a ...any) {
	fmt.Fprintf(os.Stderr, "[bench-load +%.1fs] %s\n", time.Since(t0).Seconds(), fmt.Sprintf(f, a...))
}

// ------------------------------------------------------------------ /proc

const clkTck = 100 // CLK_TCK on Linux

type procSample map[int]struct {
	label string
	ticks int64
}

func readStat(pid int) (ppid int, ticks int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// after comm: state(0) ppid(1) ... utime(11) stime(12)
	if len(f) < 13 {
		return 0, 0, false
	}
	pp, _ := strconv.Atoi(f[1])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return pp, u + st, true
}

// sample reads the labelled processes, their descendants (same label) and this process (`client`).
func sample(labels map[string]int) procSample {
	out := procSample{}
	byPid := map[int]string{}
	for l, p := range labels {
		byPid[p] = l
	}
	children := map[int][]int{}
	ticks := map[int]int64{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if pp, t, ok := readStat(pid); ok {
			children[pp] = append(children[pp], pid)
			ticks[pid] = t
		}
	}
	var walk func(pid int, label string)
	walk = func(pid int, label string) {
		if t, ok := ticks[pid]; ok {
			out[pid] = struct {
				label string
				ticks int64
			}{label, t}
		}
		for _, c := range children[pid] {
			walk(c, label)
		}
	}
	for pid, l := range byPid {
		walk(pid, l)
	}
	self := os.Getpid()
	out[self] = struct {
		label string
		ticks int64
	}{"client", ticks[self]}
	return out
}

// cpuPercent per label (100 = one core) between two samples.
func cpuPercent(a, b procSample, seconds float64) map[string]float64 {
	out := map[string]float64{}
	for pid, s := range b {
		out[s.label] += float64(s.ticks-a[pid].ticks) / clkTck / seconds * 100
	}
	return out
}

func machineTicks() (busy, total int64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])[1:]
	for i, x := range f {
		v, _ := strconv.ParseInt(x, 10, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy, total
}

func loadavg1() float64 {
	b, _ := os.ReadFile("/proc/loadavg")
	v, _ := strconv.ParseFloat(strings.Fields(string(b) + " 0")[0], 64)
	return v
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// ------------------------------------------------------------------ transactions

type txSet struct {
	bodies [][]byte         // JSON-RPC request bodies
	index  map[[32]byte]int // sha256(tx) → k
	size   int              // bytes per tx
	forged int              // txs with a corrupted signature (--forge-every)
}

func buildTxs(o options, total int) txSet {
	s := txSet{bodies: make([][]byte, total), index: make(map[[32]byte]int, total)}
	keys := make([]ed25519.PrivateKey, o.keys)
	for i := range keys {
		seed := sha256.Sum256([]byte(fmt.Sprintf("bench-cometbft/%d", i)))
		keys[i] = ed25519.NewKeyFromSeed(seed[:])
	}
	// message: 40 bytes, unique per run and k; kv: the same total size as an ed25519 tx (137 bytes).
	const msgLen = 40
	method := "broadcast_tx_" + o.broadcast
	for k := 0; k < total; k++ {
		msg := []byte(fmt.Sprintf("bench/%s/%d/", o.run, k))
		for len(msg) < msgLen {
			msg = append(msg, '.')
		}
		var tx []byte
		if o.mode == app.ModeEd25519 {
			tx = app.SignedTx(keys[k%len(keys)], msg)
			if o.forgeEvery > 0 && k%o.forgeEvery == o.forgeEvery-1 {
				tx[ed25519.PublicKeySize] ^= 0x01 // first signature byte
				s.forged++
			}
		} else {
			tx = append([]byte(fmt.Sprintf("bench-%s-%d=", o.run, k)), bytes.Repeat([]byte("v"), 64+32+msgLen)...)
			tx = tx[:64+32+msgLen+1]
		}
		s.size = len(tx)
		s.index[sha256.Sum256(tx)] = k
		s.bodies[k] = []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":%q,"params":{"tx":%q}}`, k, method, base64.StdEncoding.EncodeToString(tx)))
	}
	return s
}

// ------------------------------------------------------------------ RPC

type rpcAnswer struct {
	Result *struct {
		Code uint32 `json:"code"`
		Log  string `json:"log"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

func status(client *http.Client, rpc string) (int64, error) {
	resp, err := client.Get(rpc + "/status")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var st struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, err
	}
	return strconv.ParseInt(st.Result.SyncInfo.LatestBlockHeight, 10, 64)
}

// ------------------------------------------------------------------ blocks

type blockEvent struct {
	Result struct {
		Data struct {
			Value struct {
				Block struct {
					Header struct {
						Height string    `json:"height"`
						Time   time.Time `json:"time"`
					} `json:"header"`
					Data struct {
						Txs [][]byte `json:"txs"`
					} `json:"data"`
				} `json:"block"`
				ResultFinalizeBlock struct {
					TxResults []struct {
						Code uint32 `json:"code"`
					} `json:"tx_results"`
				} `json:"result_finalize_block"`
			} `json:"value"`
		} `json:"data"`
	} `json:"result"`
	Error *json.RawMessage `json:"error"`
}

type block struct {
	height  int64
	time    time.Time
	recv    time.Duration // since start of the load
	count   int
	success int
	ours    int
}

// ------------------------------------------------------------------ stats

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	i = max(0, min(len(sorted)-1, i))
	return sorted[i]
}

func r0(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return math.Round(x) + 0 // no -0 in the JSON
}
func r1(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return math.Round(x*10)/10 + 0 // no -0 in the JSON
}
func r2(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return math.Round(x*100)/100 + 0 // no -0 in the JSON
}
func round1(m map[string]float64) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = r1(v)
	}
	return out
}

// verifyPerCPUSecond: single-core crypto/ed25519 verifications per second of CPU time of this process.
func verifyPerCPUSecond() float64 {
	seed := sha256.Sum256([]byte("verify-rate"))
	k := ed25519.NewKeyFromSeed(seed[:])
	msg := bytes.Repeat([]byte{7}, 128)
	sig := ed25519.Sign(k, msg)
	pub := k.Public().(ed25519.PublicKey)
	_, t0, _ := readStat(os.Getpid())
	w0 := time.Now()
	n := 0
	for time.Since(w0) < 500*time.Millisecond {
		for i := 0; i < 100; i++ {
			if !ed25519.Verify(pub, msg, sig) {
				panic("verify failed")
			}
		}
		n += 100
	}
	_, t1, _ := readStat(os.Getpid())
	cpu := float64(t1-t0) / clkTck
	if cpu <= 0 {
		return math.NaN()
	}
	return float64(n) / cpu
}

// ------------------------------------------------------------------ main

func main() {
	if len(os.Args) > 1 && os.Args[1] == "summary" {
		summary(os.Args[2:])
		return
	}
	o := parseFlags()
	total := int(math.Round(o.rate * o.seconds))
	runtime.LockOSThread()
	verify := verifyPerCPUSecond()
	runtime.UnlockOSThread()

	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        o.connections * 2,
		MaxIdleConnsPerHost: o.connections,
		MaxConnsPerHost:     o.connections,
		IdleConnTimeout:     90 * time.Second,
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	// Wait for the localnet to produce blocks on every node.
	logf("waiting for height ≥ %d on %d RPCs", o.waitHeight, len(o.rpcs))
	deadline := time.Now().Add(60 * time.Second)
	for _, r := range o.rpcs {
		for {
			h, err := status(client, r)
			if err == nil && h >= o.waitHeight {
				break
			}
			if time.Now().After(deadline) {
				fail("%s not at height %d after 60 s (last: %d, %v)", r, o.waitHeight, h, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	logf("pre-building %d %s transactions (%s)", total, o.mode, "broadcast_tx_"+o.broadcast)
	signStart := time.Now()
	txs := buildTxs(o, total)
	signSeconds := time.Since(signStart).Seconds()
	logf("built in %.1f s, %d bytes each", signSeconds, txs.size)

	// Subscribe to committed blocks.
	u, _ := url.Parse(o.rpcs[0])
	u.Scheme = map[string]string{"https": "wss"}[u.Scheme]
	if u.Scheme == "" {
		u.Scheme = "ws"
	}
	u.Path = "/websocket"
	ws, _, err := websocket.DefaultDialer.Dial(u.String(), nil)
	if err != nil {
		fail("websocket %s: %v", u, err)
	}
	if err := ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": "sub", "method": "subscribe", "params": map[string]string{"query": "tm.event='NewBlock'"}}); err != nil {
		fail("subscribe: %v", err)
	}

	submittedAt := make([]atomic.Int64, total) // ns since start; 0 = not (or no longer) followed
	committedAt := make([]int64, total)        // written by the reader only
	var mu sync.Mutex                          // blocks, failedInBlock, committedAt reads after the run
	var blocks []block
	failedInBlock := map[string]int{}
	var ourCommitted atomic.Int64
	var lastOurCommit atomic.Int64
	var start time.Time
	var started atomic.Bool
	var closing atomic.Bool
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				if !closing.Load() {
					logf("block subscription ended early (commits after this are not seen): %v", err)
				}
				return
			}
			now := time.Now()
			var ev blockEvent
			if err := json.Unmarshal(data, &ev); err != nil || ev.Error != nil {
				if ev.Error != nil {
					logf("websocket error: %s", string(*ev.Error))
				}
				continue
			}
			v := ev.Result.Data.Value
			if v.Block.Header.Height == "" {
				continue // the subscription's confirmation
			}
			h, _ := strconv.ParseInt(v.Block.Header.Height, 10, 64)
			b := block{height: h, time: v.Block.Header.Time, count: len(v.Block.Data.Txs)}
			if started.Load() {
				b.recv = now.Sub(start)
			} else {
				b.recv = -1
			}
			mu.Lock()
			for i, tx := range v.Block.Data.Txs {
				ok := i < len(v.ResultFinalizeBlock.TxResults) && v.ResultFinalizeBlock.TxResults[i].Code == app.CodeOK
				if ok {
					b.success++
				}
				k, mine := txs.index[sha256.Sum256(tx)]
				if !mine {
					continue
				}
				if !ok {
					code := "code " + strconv.Itoa(int(v.ResultFinalizeBlock.TxResults[i].Code))
					failedInBlock[code]++
					continue
				}
				if committedAt[k] == 0 {
					committedAt[k] = int64(now.Sub(start))
					b.ours++
					ourCommitted.Add(1)
					lastOurCommit.Store(int64(now.Sub(start)))
				}
			}
			blocks = append(blocks, b)
			mu.Unlock()
		}
	}()

	labels := o.pids
	// Settle, then the cluster's idle cost (empty blocks) over --idle s.
	time.Sleep(time.Second)
	idleA := sample(labels)
	idleT := time.Now()
	time.Sleep(time.Duration(o.idle * float64(time.Second)))
	idleCPU := cpuPercent(idleA, sample(labels), time.Since(idleT).Seconds())

	logf("offering %d txs at %.0f/s for %.0f s over %d connections to %d RPCs", total, o.rate, o.seconds, o.connections, len(o.rpcs))
	refused := map[string]int{}
	var refusedMu sync.Mutex
	var submitLat []float64
	var accepted atomic.Int64
	var lastSubmit atomic.Int64
	sem := make(chan struct{}, o.connections)
	var wg sync.WaitGroup
	send := func(k int) {
		defer wg.Done()
		defer func() { <-sem }()
		sent := time.Since(start)
		submittedAt[k].Store(int64(sent))
		lastSubmit.Store(int64(sent))
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, o.rpcs[k%len(o.rpcs)], bytes.NewReader(txs.bodies[k]))
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		reason := ""
		if err != nil {
			reason = normalize("network " + err.Error())
		} else {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var a rpcAnswer
			switch {
			case resp.StatusCode != http.StatusOK:
				reason = "HTTP " + strconv.Itoa(resp.StatusCode)
			case json.Unmarshal(body, &a) != nil:
				reason = "non-JSON answer"
			case a.Error != nil:
				reason = normalize(a.Error.Message + ": " + a.Error.Data)
			case a.Result == nil:
				reason = "no result"
			case a.Result.Code != app.CodeOK:
				reason = "CheckTx code " + strconv.Itoa(int(a.Result.Code))
			}
		}
		lat := float64(time.Since(start)-sent) / 1e6
		refusedMu.Lock()
		submitLat = append(submitLat, lat)
		if reason != "" {
			refused[reason]++
			submittedAt[k].Store(0)
		}
		refusedMu.Unlock()
		if reason == "" {
			accepted.Add(1)
		}
	}

	cpuBefore := sample(labels)
	mBusy0, mTotal0 := machineTicks()
	load1 := loadavg1()
	start = time.Now()
	started.Store(true)
	window := time.Duration(o.seconds * float64(time.Second))
	next, unsent, maxBacklog := 0, 0, 0
	progress := time.NewTicker(5 * time.Second)
	for next < total {
		now := time.Since(start)
		if now >= window {
			unsent = total - next
			break
		}
		due := min(total, int(now.Seconds()*o.rate)+1)
		maxBacklog = max(maxBacklog, due-next)
	fill:
		for next < due {
			select {
			case sem <- struct{}{}:
				wg.Add(1)
				go send(next)
				next++
			default:
				break fill
			}
		}
		select {
		case <-progress.C:
			logf("t=%.0fs sent %d accepted %d committed %d in-flight %d", now.Seconds(), next, accepted.Load(), ourCommitted.Load(), len(sem))
		default:
		}
		time.Sleep(time.Millisecond)
	}
	wg.Wait()
	submitEnd := time.Since(start)
	cpuMid := sample(labels)
	mBusy1, mTotal1 := machineTicks()
	logf("%d of %d submitted in %.1f s (%d unsent), %d accepted; draining up to %.0f s", total-unsent, total, submitEnd.Seconds(), unsent, accepted.Load(), o.drain)
	drainUntil := submitEnd + time.Duration(o.drain*float64(time.Second))
	for time.Since(start) < drainUntil && ourCommitted.Load() < accepted.Load() {
		time.Sleep(100 * time.Millisecond)
	}
	progress.Stop()
	end := time.Since(start)
	cpuAfter := sample(labels)
	mBusy2, mTotal2 := machineTicks()
	closing.Store(true)
	_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	_ = ws.Close()
	<-readerDone
	transport.CloseIdleConnections()

	// ---------------------------------------------------------------- figures
	mu.Lock()
	defer mu.Unlock()
	var lat []float64
	for k := 0; k < total; k++ {
		s := submittedAt[k].Load()
		if s != 0 && committedAt[k] != 0 {
			lat = append(lat, float64(committedAt[k]-s)/1e6)
		}
	}
	sort.Float64s(lat)
	sort.Float64s(submitLat)
	windowEnd := end
	if lc := time.Duration(lastOurCommit.Load()); lc > 0 {
		windowEnd = max(lc, time.Duration(lastSubmit.Load()))
	}
	windowS := windowEnd.Seconds()
	var inWindow []block
	committedInWindow := 0
	for _, b := range blocks {
		if b.recv >= 0 && b.recv <= windowEnd {
			inWindow = append(inWindow, b)
			committedInWindow += b.success
		}
	}
	// steady state: blocks received during the submission phase after a 3 s ramp-up
	var steady []block
	for _, b := range blocks {
		if b.recv >= 3*time.Second && b.recv <= submitEnd {
			steady = append(steady, b)
		}
	}
	steadyTps := math.NaN()
	if len(steady) > 1 {
		n := 0
		for _, b := range steady[1:] {
			n += b.success
		}
		steadyTps = float64(n) / (steady[len(steady)-1].recv - steady[0].recv).Seconds()
	}
	perBlockMean, perBlockMax := 0.0, 0
	for _, b := range inWindow {
		perBlockMean += float64(b.count)
		perBlockMax = max(perBlockMax, b.count)
	}
	if len(inWindow) > 0 {
		perBlockMean /= float64(len(inWindow))
	}
	intervalMean, intervalMax := math.NaN(), 0.0
	if len(inWindow) > 1 {
		intervalMean = 0
		for i := 1; i < len(inWindow); i++ {
			d := float64(inWindow[i].time.Sub(inWindow[i-1].time)) / 1e6
			intervalMean += d
			intervalMax = math.Max(intervalMax, d)
		}
		intervalMean /= float64(len(inWindow) - 1)
	}

	committed := float64(ourCommitted.Load())
	loadS := end.Seconds()
	submitS := submitEnd.Seconds()
	whole := cpuPercent(cpuBefore, cpuAfter, loadS)
	cpuMsPerTx := map[string]any{}
	total1, raw := 0.0, 0.0
	for label, pct := range whole {
		ms := (pct - idleCPU[label]) / 100 * loadS * 1e3 / math.Max(1, committed)
		cpuMsPerTx[label] = r2(ms)
		if label != "client" {
			total1 += ms
			raw += pct / 100 * loadS * 1e3 / math.Max(1, committed)
		}
	}
	clientSubmitMs := (cpuPercent(cpuBefore, cpuMid, submitS)["client"] / 100) * submitS * 1e3 / math.Max(1, float64(total-unsent))
	hostname, _ := os.Hostname()
	result := map[string]any{
		"bench":                          "cometbft",
		"cometbft":                       "v0.38.26",
		"mode":                           string(o.mode),
		"label":                          o.label,
		"host":                           hostname,
		"cpus":                           runtime.NumCPU(),
		"cpuModel":                       cpuModel(),
		"go":                             runtime.Version(),
		"loadavg1Before":                 r1(load1),
		"validators":                     countPrefix(o.pids, "node-"),
		"rpcs":                           len(o.rpcs),
		"broadcast":                      o.broadcast,
		"connections":                    o.connections,
		"txBytes":                        txs.size,
		"forged":                         txs.forged,
		"presignSeconds":                 r1(signSeconds),
		"targetRate":                     o.rate,
		"seconds":                        o.seconds,
		"total":                          total,
		"sent":                           total - unsent,
		"unsent":                         unsent,
		"submitRate":                     r0(float64(total-unsent) / submitS),
		"submitSeconds":                  r1(submitS),
		"accepted":                       accepted.Load(),
		"refused":                        refused,
		"failedInBlock":                  failedInBlock,
		"finalized":                      ourCommitted.Load(),
		"lost":                           accepted.Load() - ourCommitted.Load(),
		"windowSeconds":                  r1(windowS),
		"finalizedTps":                   r0(float64(committedInWindow) / windowS),
		"steadyTps":                      r0(steadyTps),
		"latencyMs":                      map[string]any{"p50": r0(percentile(lat, 50)), "p90": r0(percentile(lat, 90)), "p99": r0(percentile(lat, 99)), "max": r0(percentile(lat, 100))},
		"submitHttpMs":                   map[string]any{"p50": r1(percentile(submitLat, 50)), "p99": r1(percentile(submitLat, 99))},
		"maxSubmitBacklog":               maxBacklog,
		"blocks":                         len(inWindow),
		"txPerBlock":                     map[string]any{"mean": r0(perBlockMean), "max": perBlockMax},
		"blockIntervalMs":                map[string]any{"mean": r0(intervalMean), "max": r0(intervalMax)},
		"cpuPercentDuringSubmit":         round1(cpuPercent(cpuBefore, cpuMid, submitS)),
		"cpuPercentWhole":                round1(whole),
		"cpuPercentIdle":                 round1(idleCPU),
		"cpuMsPerTx":                     cpuMsPerTx,
		"cpuMsPerTxTotal":                r2(total1),
		"cpuMsPerTxTotalRaw":             r2(raw),
		"clientCpuMsPerTxDuringSubmit":   r2(clientSubmitMs),
		"projectedTpsOnIdleMachine":      r0(float64(runtime.NumCPU()) * 1e3 / total1),
		"machineBusyPercent":             r0(float64(mBusy2-mBusy0) / float64(max(1, mTotal2-mTotal0)) * 100 * float64(runtime.NumCPU())),
		"machineBusyPercentDuringSubmit": r0(float64(mBusy1-mBusy0) / float64(max(1, mTotal1-mTotal0)) * 100 * float64(runtime.NumCPU())),
		"verifyPerSecond":                map[string]any{"ed25519PerCpuSecond": r0(verify)},
	}
	printTable(result)
	line, _ := json.Marshal(result)
	fmt.Printf("RESULT %s\n", line)
}

// summary prints a markdown table of the RESULT lines in the given files (`bench-load summary FILE...`).
func summary(files []string) {
	fmt.Println("| mode | offered tx/s | sent | committed tx/s (steady) | p50 / p99 submit→committed | CPU-ms per tx: raw / idle removed | client CPU-ms per tx | block interval mean / max | load avg before |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fail("summary: %v", err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			j, ok := strings.CutPrefix(line, "RESULT ")
			if !ok {
				continue
			}
			var r struct {
				Mode, Label                         string
				TargetRate                          float64
				Sent, Unsent                        int
				FinalizedTps, SteadyTps             *float64
				LatencyMs                           map[string]*float64
				CpuMsPerTxTotal, CpuMsPerTxTotalRaw *float64
				ClientCpuMsPerTxDuringSubmit        *float64
				BlockIntervalMs                     map[string]*float64
				Loadavg1Before                      float64
			}
			if err := json.Unmarshal([]byte(j), &r); err != nil {
				fail("summary: %v", err)
			}
			f := func(p *float64, scale float64, prec int) string {
				if p == nil {
					return "–"
				}
				return strconv.FormatFloat(*p/scale, 'f', prec, 64)
			}
			fmt.Printf("| %s (%s) | %.0f | %d (%d unsent) | %s (%s) | %s s / %s s | %s / %s | %s | %s / %s ms | %.1f |\n",
				r.Mode, r.Label, r.TargetRate, r.Sent, r.Unsent, f(r.FinalizedTps, 1, 0), f(r.SteadyTps, 1, 0),
				f(r.LatencyMs["p50"], 1000, 2), f(r.LatencyMs["p99"], 1000, 2), f(r.CpuMsPerTxTotalRaw, 1, 2), f(r.CpuMsPerTxTotal, 1, 2),
				f(r.ClientCpuMsPerTxDuringSubmit, 1, 2), f(r.BlockIntervalMs["mean"], 1, 0), f(r.BlockIntervalMs["max"], 1, 0), r.Loadavg1Before)
		}
	}
}

// normalize groups refusals by their text: digit runs (sizes, counts) become N, at most 80 characters.
func normalize(s string) string {
	var b strings.Builder
	digits := false
	for _, c := range s {
		if c >= '0' && c <= '9' {
			if !digits {
				b.WriteByte('N')
			}
			digits = true
			continue
		}
		digits = false
		b.WriteRune(c)
	}
	out := b.String()
	if len(out) > 80 {
		out = out[:80]
	}
	return out
}

func countPrefix(m map[string]int, p string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, p) {
			n++
		}
	}
	return n
}

func printTable(r map[string]any) {
	j := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	lat := r["latencyMs"].(map[string]any)
	rows := [][2]string{
		{"machine", fmt.Sprintf("%v × %v, %v, load avg before %v", r["cpus"], r["cpuModel"], r["go"], r["loadavg1Before"])},
		{"cluster", fmt.Sprintf("CometBFT %v, %v validators, mode %v %v, %v, %v connections, %v-byte txs", r["cometbft"], r["validators"], r["mode"], r["label"], "broadcast_tx_"+r["broadcast"].(string), r["connections"], r["txBytes"])},
		{"target / achieved submit rate", fmt.Sprintf("%v/s / %v/s for %v s (%v of %v sent, %v unsent)", r["targetRate"], r["submitRate"], r["submitSeconds"], r["sent"], r["total"], r["unsent"])},
		{"accepted / refused", fmt.Sprintf("%v / %s", r["accepted"], j(r["refused"]))},
		{"failed in blocks", j(r["failedInBlock"])},
		{"committed ours / lost", fmt.Sprintf("%v / %v", r["finalized"], r["lost"])},
		{"committed tx/s (window)", fmt.Sprintf("%v/s over %v s (steady %v/s)", r["finalizedTps"], r["windowSeconds"], r["steadyTps"])},
		{"submit→committed p50 / p90 / p99 / max", fmt.Sprintf("%v / %v / %v / %v ms", lat["p50"], lat["p90"], lat["p99"], lat["max"])},
		{"RPC submit p50 / p99", fmt.Sprintf("%v / %v ms", r["submitHttpMs"].(map[string]any)["p50"], r["submitHttpMs"].(map[string]any)["p99"])},
		{"blocks / tx per block / interval", fmt.Sprintf("%v / %s / %s ms", r["blocks"], j(r["txPerBlock"]), j(r["blockIntervalMs"]))},
		{"CPU % during submit (100 = 1 core)", j(r["cpuPercentDuringSubmit"])},
		{"CPU % idle before", j(r["cpuPercentIdle"])},
		{"machine busy % during submit", fmt.Sprintf("%v of %v", r["machineBusyPercentDuringSubmit"], r["cpus"].(int)*100)},
		{"CPU ms per committed tx", fmt.Sprintf("%v idle removed, %v raw (client excluded): %s", r["cpuMsPerTxTotal"], r["cpuMsPerTxTotalRaw"], j(r["cpuMsPerTx"]))},
		{"client CPU ms per tx sent", fmt.Sprintf("%v (pre-building took %v s, outside the window)", r["clientCpuMsPerTxDuringSubmit"], r["presignSeconds"])},
		{"projected tx/s if the box were ours", fmt.Sprintf("%v/s", r["projectedTpsOnIdleMachine"])},
		{"ed25519 verify / CPU-second (Go)", fmt.Sprint(r["verifyPerSecond"].(map[string]any)["ed25519PerCpuSecond"])},
	}
	w := 0
	for _, row := range rows {
		w = max(w, len([]rune(row[0])))
	}
	for _, row := range rows {
		fmt.Fprintf(os.Stderr, "%s%s  %s\n", row[0], strings.Repeat(" ", w-len([]rune(row[0]))), row[1])
	}
}
