//! sr25519 verification for Node.js: schnorrkel's own code (the crate @polkadot-labs/schnorrkel-wasm is
//! built from), compiled natively, with its batch verification exposed. Signing context "substrate", as
//! Substrate's `sr25519::Pair::verify` and the wasm's `sr25519_verify`.
//!
//! Every function answers a boolean per signature and never throws or panics for malformed input: a key
//! that is not a ristretto point or a signature schnorrkel cannot parse is simply not valid.

use napi::bindgen_prelude::{AsyncTask, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use schnorrkel::{signing_context, PublicKey, Signature};

const SIGNING_CONTEXT: &[u8] = b"substrate";
/// Signatures checked by one batch equation. A failed batch is re-checked item by item, so a bad
/// signature costs its chunk that much more; larger chunks gain little past this (see the README).
const CHUNK: usize = 64;

/// One signature to check, owned (async work runs on another thread than the JS buffers' owner).
struct Item {
    public_key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

fn parse(public_key: &[u8], signature: &[u8]) -> Option<(PublicKey, Signature)> {
    Some((PublicKey::from_bytes(public_key).ok()?, Signature::from_bytes(signature).ok()?))
}

fn verify_one(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    match parse(public_key, signature) {
        Some((key, sig)) => key.verify(signing_context(SIGNING_CONTEXT).bytes(message), &sig).is_ok(),
        None => false,
    }
}

/// Batch-verifies the parseable items chunk by chunk; a chunk whose batch fails is checked item by item,
/// so each answer is exactly the single verification's (a batch holds only if every signature does,
/// in ristretto's prime-order group, up to a 2^-128 chance over the random weights).
fn verify_items(items: &[Item]) -> Vec<bool> {
    let mut ok = vec![false; items.len()];
    let parsed: Vec<(usize, PublicKey, Signature)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, it)| parse(&it.public_key, &it.signature).map(|(k, s)| (i, k, s)))
        .collect();
    for chunk in parsed.chunks(CHUNK) {
        let batch_holds = chunk.len() > 1 && {
            let transcripts = chunk.iter().map(|(i, _, _)| signing_context(SIGNING_CONTEXT).bytes(&items[*i].message));
            let signatures: Vec<Signature> = chunk.iter().map(|(_, _, s)| *s).collect();
            let keys: Vec<PublicKey> = chunk.iter().map(|(_, k, _)| *k).collect();
            // verify_batch draws its weights from the OS; a failing RNG panics: then check one by one.
            std::panic::catch_unwind(|| schnorrkel::verify_batch(transcripts, &signatures, &keys, false).is_ok()).unwrap_or(false)
        };
        for (i, key, sig) in chunk {
            ok[*i] = batch_holds || key.verify(signing_context(SIGNING_CONTEXT).bytes(&items[*i].message), sig).is_ok();
        }
    }
    ok
}

fn items_of(public_keys: &[Uint8Array], messages: &[Uint8Array], signatures: &[Uint8Array]) -> napi::Result<Vec<Item>> {
    if public_keys.len() != messages.len() || messages.len() != signatures.len() {
        return Err(napi::Error::new(napi::Status::InvalidArg, "publicKeys, messages and signatures must have the same length"));
    }
    Ok((0..public_keys.len())
        .map(|i| Item { public_key: public_keys[i].to_vec(), message: messages[i].to_vec(), signature: signatures[i].to_vec() })
        .collect())
}

/// True only for a valid signature of `message` by `publicKey`; malformed input gives false.
#[napi(js_name = "sr25519Verify")]
pub fn sr25519_verify(public_key: Uint8Array, message: Uint8Array, signature: Uint8Array) -> bool {
    verify_one(&public_key, &message, &signature)
}

/// One answer per item, in order, each equal to sr25519Verify's; on the calling thread.
#[napi(js_name = "sr25519VerifyBatch")]
pub fn sr25519_verify_batch(public_keys: Vec<Uint8Array>, messages: Vec<Uint8Array>, signatures: Vec<Uint8Array>) -> napi::Result<Vec<bool>> {
    Ok(verify_items(&items_of(&public_keys, &messages, &signatures)?))
}

pub struct VerifyBatchTask {
    items: Vec<Item>,
}

impl Task for VerifyBatchTask {
    type Output = Vec<bool>;
    type JsValue = Vec<bool>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(verify_items(&self.items))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// As sr25519VerifyBatch, on libuv's thread pool: the inputs are copied, the promise resolves with the answers.
#[napi(js_name = "sr25519VerifyBatchAsync")]
pub fn sr25519_verify_batch_async(public_keys: Vec<Uint8Array>, messages: Vec<Uint8Array>, signatures: Vec<Uint8Array>) -> napi::Result<AsyncTask<VerifyBatchTask>> {
    Ok(AsyncTask::new(VerifyBatchTask { items: items_of(&public_keys, &messages, &signatures)? }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use schnorrkel::{ExpansionMode, MiniSecretKey};

    fn keypair(seed: u8) -> schnorrkel::Keypair {
        MiniSecretKey::from_bytes(&[seed; 32]).unwrap().expand_to_keypair(ExpansionMode::Ed25519)
    }

    #[test]
    fn batch_answers_equal_single_answers() {
        let mut items = Vec::new();
        for n in 0..200u8 {
            let pair = keypair(n);
            let message = vec![n; 40];
            let signature = pair.sign(signing_context(SIGNING_CONTEXT).bytes(&message)).to_bytes().to_vec();
            let message = if n % 67 == 5 { vec![0; 40] } else { message };
            items.push(Item { public_key: pair.public.to_bytes().to_vec(), message, signature });
        }
        items.push(Item { public_key: vec![0xff; 32], message: vec![], signature: vec![0; 64] });
        let ok = verify_items(&items);
        for (i, it) in items.iter().enumerate() {
            assert_eq!(ok[i], verify_one(&it.public_key, &it.message, &it.signature), "item {i}");
        }
        assert_eq!(ok.iter().filter(|b| !**b).count(), 4);
    }
}
