package app

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
)

func key(i byte) ed25519.PrivateKey {
	seed := sha256.Sum256([]byte{i})
	return ed25519.NewKeyFromSeed(seed[:])
}

func TestKVRule(t *testing.T) {
	for tx, want := range map[string]uint32{
		"a=b": CodeOK, "key=value-1": CodeOK,
		"ab": CodeBadFormat, "=b": CodeBadFormat, "a=": CodeBadFormat, "a=b=c": CodeBadFormat, "a:b": CodeBadFormat, "a=b:c": CodeBadFormat,
	} {
		if _, _, got := Validate(ModeKV, []byte(tx)); got != want {
			t.Errorf("%q: code %d, want %d", tx, got, want)
		}
	}
}

func TestEd25519CheckTxRejectsForgeries(t *testing.T) {
	a := New(ModeEd25519)
	good := SignedTx(key(1), []byte("hello"))
	check := func(tx []byte) uint32 {
		r, err := a.CheckTx(context.Background(), &abci.RequestCheckTx{Tx: tx})
		if err != nil {
			t.Fatal(err)
		}
		return r.Code
	}
	if c := check(good); c != CodeOK {
		t.Fatalf("valid tx refused: %d", c)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-1] ^= 1 // message changed after signing
	if c := check(flipped); c != CodeBadSig {
		t.Errorf("altered message: code %d, want %d", c, CodeBadSig)
	}
	other := append([]byte(nil), good...)
	copy(other, key(2).Public().(ed25519.PublicKey)) // someone else's key
	if c := check(other); c != CodeBadSig {
		t.Errorf("wrong key: code %d, want %d", c, CodeBadSig)
	}
	if c := check(good[:signedOverhead]); c != CodeBadFormat {
		t.Errorf("empty message: code %d, want %d", c, CodeBadFormat)
	}
}

func TestFinalizeBlockMarksBadTxsAndCommitStoresGoodOnes(t *testing.T) {
	a := New(ModeEd25519)
	good := SignedTx(key(1), []byte("m1"))
	bad := append([]byte(nil), SignedTx(key(1), []byte("m2"))...)
	bad[ed25519.PublicKeySize] ^= 0xff // corrupt the signature
	r, err := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 1, Txs: [][]byte{good, bad}})
	if err != nil {
		t.Fatal(err)
	}
	if r.TxResults[0].Code != CodeOK || r.TxResults[1].Code != CodeBadSig {
		t.Fatalf("codes %d, %d", r.TxResults[0].Code, r.TxResults[1].Code)
	}
	// Not visible before Commit.
	if q, _ := a.Query(context.Background(), &abci.RequestQuery{Data: []byte("m1")}); q.Value != nil {
		t.Fatal("staged write visible before Commit")
	}
	if _, err := a.Commit(context.Background(), &abci.RequestCommit{}); err != nil {
		t.Fatal(err)
	}
	q, _ := a.Query(context.Background(), &abci.RequestQuery{Data: []byte("m1")})
	if string(q.Value) != string(key(1).Public().(ed25519.PublicKey)) {
		t.Fatal("committed tx not stored")
	}
	if q, _ := a.Query(context.Background(), &abci.RequestQuery{Data: []byte("m2")}); q.Value != nil {
		t.Fatal("rejected tx stored")
	}
	info, _ := a.Info(context.Background(), &abci.RequestInfo{})
	if info.LastBlockHeight != 1 || string(info.LastBlockAppHash) != string(r.AppHash) {
		t.Fatalf("info height %d, app hash matches %v", info.LastBlockHeight, string(info.LastBlockAppHash) == string(r.AppHash))
	}
}

func TestAppHashDependsOnTxs(t *testing.T) {
	run := func(txs ...string) []byte {
		a := New(ModeKV)
		b := make([][]byte, len(txs))
		for i, s := range txs {
			b[i] = []byte(s)
		}
		r, _ := a.FinalizeBlock(context.Background(), &abci.RequestFinalizeBlock{Height: 1, Txs: b})
		return r.AppHash
	}
	if string(run("a=1", "b=2")) == string(run("a=1", "b=3")) {
		t.Fatal("app hash ignores transaction content")
	}
	if string(run("a=1")) != string(run("a=1", "bad")) {
		t.Fatal("a rejected transaction changed the app hash")
	}
}
