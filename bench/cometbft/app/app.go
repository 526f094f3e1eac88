// Package app is a minimal ABCI 2.0 application for the CometBFT side-by-side benchmark (bench/README.md,
// "CometBFT side by side"). Two modes:
//
//   - kv: like CometBFT's kvstore, any transaction `key=value` (exactly one '=', no ':', both sides
//     non-empty) is accepted and stored.
//   - ed25519: a transaction is pubkey (32 bytes) ‖ signature (64 bytes) ‖ message (1..MaxMessage bytes);
//     CheckTx and FinalizeBlock verify the signature with crypto/ed25519 and reject a bad one. A valid
//     transaction stores message → pubkey.
//
// State is kept in memory (as the kvstore CometBFT runs in-process with `--proxy_app=kvstore`); the app
// hash chains sha256 over the previous hash and every committed transaction, so replicas that diverge
// are caught by consensus.
package app

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
)

// Mode selects how transactions are validated.
type Mode string

const (
	ModeKV      Mode = "kv"
	ModeEd25519 Mode = "ed25519"
)

// Result codes (0 is OK).
const (
	CodeOK         uint32 = 0
	CodeBadFormat  uint32 = 1
	CodeBadSig     uint32 = 2
	MaxMessage            = 1024
	signedOverhead        = ed25519.PublicKeySize + ed25519.SignatureSize
)

// ParseMode accepts "kv" or "ed25519".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case ModeKV, ModeEd25519:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown mode %q (kv | ed25519)", s)
}

// SignedTx builds an ed25519-mode transaction: pubkey ‖ sign(priv, msg) ‖ msg.
func SignedTx(priv ed25519.PrivateKey, msg []byte) []byte {
	tx := make([]byte, 0, signedOverhead+len(msg))
	tx = append(tx, priv.Public().(ed25519.PublicKey)...)
	tx = append(tx, ed25519.Sign(priv, msg)...)
	return append(tx, msg...)
}

// SplitSigned returns the parts of an ed25519-mode transaction, or ok=false if it is malformed.
func SplitSigned(tx []byte) (pub ed25519.PublicKey, sig, msg []byte, ok bool) {
	if len(tx) <= signedOverhead || len(tx) > signedOverhead+MaxMessage {
		return nil, nil, nil, false
	}
	return ed25519.PublicKey(tx[:ed25519.PublicKeySize]), tx[ed25519.PublicKeySize:signedOverhead], tx[signedOverhead:], true
}

// SplitKV returns key and value of a kv-mode transaction, or ok=false (the kvstore's rule for `key=value`).
func SplitKV(tx []byte) (key, value []byte, ok bool) {
	if bytes.Count(tx, []byte("=")) != 1 || bytes.IndexByte(tx, ':') >= 0 {
		return nil, nil, false
	}
	i := bytes.IndexByte(tx, '=')
	if i == 0 || i == len(tx)-1 {
		return nil, nil, false
	}
	return tx[:i], tx[i+1:], true
}

// Validate checks one transaction in the given mode and returns what to store, or a non-zero code.
func Validate(mode Mode, tx []byte) (key, value []byte, code uint32) {
	switch mode {
	case ModeKV:
		k, v, ok := SplitKV(tx)
		if !ok {
			return nil, nil, CodeBadFormat
		}
		return k, v, CodeOK
	case ModeEd25519:
		pub, sig, msg, ok := SplitSigned(tx)
		if !ok {
			return nil, nil, CodeBadFormat
		}
		if !ed25519.Verify(pub, msg, sig) {
			return nil, nil, CodeBadSig
		}
		return msg, pub, CodeOK
	}
	return nil, nil, CodeBadFormat
}

// App is the ABCI application. CheckTx is stateless; FinalizeBlock stages writes that Commit applies.
type App struct {
	abci.BaseApplication
	mode Mode

	mu      sync.Mutex
	height  int64
	appHash []byte
	store   map[string][]byte
	staged  [][2][]byte
	next    []byte // app hash after the staged block
	nextH   int64
}

// New returns an empty application in the given mode.
func New(mode Mode) *App {
	return &App{mode: mode, store: map[string][]byte{}, appHash: make([]byte, sha256.Size)}
}

func (a *App) Info(context.Context, *abci.RequestInfo) (*abci.ResponseInfo, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseInfo{
		Data:             fmt.Sprintf("bench-abci mode=%s keys=%d", a.mode, len(a.store)),
		Version:          "1",
		AppVersion:       1,
		LastBlockHeight:  a.height,
		LastBlockAppHash: append([]byte(nil), a.appHash...),
	}, nil
}

func (a *App) InitChain(context.Context, *abci.RequestInitChain) (*abci.ResponseInitChain, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return &abci.ResponseInitChain{AppHash: append([]byte(nil), a.appHash...)}, nil
}

func (a *App) CheckTx(_ context.Context, req *abci.RequestCheckTx) (*abci.ResponseCheckTx, error) {
	_, _, code := Validate(a.mode, req.Tx)
	return &abci.ResponseCheckTx{Code: code, GasWanted: 1}, nil
}

func (a *App) FinalizeBlock(_ context.Context, req *abci.RequestFinalizeBlock) (*abci.ResponseFinalizeBlock, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	results := make([]*abci.ExecTxResult, len(req.Txs))
	h := sha256.New()
	h.Write(a.appHash)
	var height [8]byte
	binary.BigEndian.PutUint64(height[:], uint64(req.Height))
	h.Write(height[:])
	a.staged = a.staged[:0]
	for i, tx := range req.Txs {
		k, v, code := Validate(a.mode, tx)
		results[i] = &abci.ExecTxResult{Code: code}
		if code != CodeOK {
			continue
		}
		sum := sha256.Sum256(tx)
		h.Write(sum[:])
		a.staged = append(a.staged, [2][]byte{k, v})
	}
	a.next = h.Sum(nil)
	a.nextH = req.Height
	return &abci.ResponseFinalizeBlock{TxResults: results, AppHash: append([]byte(nil), a.next...)}, nil
}

func (a *App) Commit(context.Context, *abci.RequestCommit) (*abci.ResponseCommit, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, kv := range a.staged {
		a.store[string(kv[0])] = append([]byte(nil), kv[1]...)
	}
	a.staged = a.staged[:0]
	if a.next != nil {
		a.appHash, a.height, a.next = a.next, a.nextH, nil
	}
	return &abci.ResponseCommit{}, nil
}

// Query answers the stored value of req.Data (a key in kv mode, a message in ed25519 mode).
func (a *App) Query(_ context.Context, req *abci.RequestQuery) (*abci.ResponseQuery, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, ok := a.store[string(req.Data)]
	if !ok {
		return &abci.ResponseQuery{Code: CodeOK, Key: req.Data, Log: "does not exist", Height: a.height}, nil
	}
	return &abci.ResponseQuery{Code: CodeOK, Key: req.Data, Value: append([]byte(nil), v...), Log: "exists", Height: a.height}, nil
}
