//! sr25519 verification for Node.js: schnorrkel's own code (the crate @polkadot-labs/schnorrkel-wasm is
//! built from), compiled natively, with its batch verification exposed. Signing context "substrate", as
//! Substrate's `sr25519::Pair::verify` and the wasm's `sr25519_verify`.
//!
//! Every function answers a boolean per signature and never throws or panics for malformed input: a key
//! that is not a ristretto point or a signature schnorrkel cannot parse is simply not valid.

use napi::bindgen_prelude::{AsyncTask, Uint32Array, Uint8Array};
use napi::{Env, Task};
use napi_derive::napi;
use schnorrkel::{signing_context, PublicKey, Signature};

const SIGNING_CONTEXT: &[u8] = b"substrate";
/// Signatures checked by one batch equation. A failed batch is re-checked item by item, so a bad
/// signature costs its chunk that much more; larger chunks gain little past this (see the README).
const CHUNK: usize = 64;

/// Signatures to check, packed: keys 32 bytes each, signatures 64 bytes each, the messages end to end
/// with `message_ends[i]` the end of message i. Packing costs the caller one copy per item instead of
/// a JS object and N-API calls per buffer (measured: the difference is most of the calling thread's cost).
struct Packed<'a> {
    public_keys: &'a [u8],
    signatures: &'a [u8],
    messages: &'a [u8],
    message_ends: &'a [u32],
}

impl<'a> Packed<'a> {
    fn new(public_keys: &'a [u8], signatures: &'a [u8], messages: &'a [u8], message_ends: &'a [u32]) -> napi::Result<Self> {
        let n = message_ends.len();
        let ends_ok = message_ends.windows(2).all(|w| w[0] <= w[1]) && message_ends.last().map_or(true, |&e| e as usize <= messages.len());
        if public_keys.len() != 32 * n || signatures.len() != 64 * n || !ends_ok {
            return Err(napi::Error::new(napi::Status::InvalidArg, "packed batch: 32-byte keys, 64-byte signatures and increasing message ends, one each per item"));
        }
        Ok(Packed { public_keys, signatures, messages, message_ends })
    }
    fn len(&self) -> usize {
        self.message_ends.len()
    }
    fn public_key(&self, i: usize) -> &[u8] {
        &self.public_keys[32 * i..32 * (i + 1)]
    }
    fn signature(&self, i: usize) -> &[u8] {
        &self.signatures[64 * i..64 * (i + 1)]
    }
    fn message(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.message_ends[i - 1] as usize };
        &self.messages[start..self.message_ends[i] as usize]
    }
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
/// in ristretto's prime-order group, up to a 2^-128 chance over the random weights). 1 = valid.
fn verify_packed(batch: &Packed) -> Vec<u8> {
    let mut ok = vec![0u8; batch.len()];
    let parsed: Vec<(usize, PublicKey, Signature)> =
        (0..batch.len()).filter_map(|i| parse(batch.public_key(i), batch.signature(i)).map(|(k, s)| (i, k, s))).collect();
    for chunk in parsed.chunks(CHUNK) {
        let batch_holds = chunk.len() > 1 && {
            let transcripts = chunk.iter().map(|(i, _, _)| signing_context(SIGNING_CONTEXT).bytes(batch.message(*i)));
            let signatures: Vec<Signature> = chunk.iter().map(|(_, _, s)| *s).collect();
            let keys: Vec<PublicKey> = chunk.iter().map(|(_, k, _)| *k).collect();
            // verify_batch draws its weights from the OS; a failing RNG panics: then check one by one.
            std::panic::catch_unwind(|| schnorrkel::verify_batch(transcripts, &signatures, &keys, false).is_ok()).unwrap_or(false)
        };
        for (i, key, sig) in chunk {
            let valid = batch_holds || key.verify(signing_context(SIGNING_CONTEXT).bytes(batch.message(*i)), sig).is_ok();
            ok[*i] = valid as u8;
        }
    }
    ok
}

/// True only for a valid signature of `message` by `publicKey`; malformed input gives false.
#[napi(js_name = "sr25519Verify")]
pub fn sr25519_verify(public_key: Uint8Array, message: Uint8Array, signature: Uint8Array) -> bool {
    verify_one(&public_key, &message, &signature)
}

/// One answer per item, in order, each equal to sr25519Verify's; on the calling thread.
#[napi(js_name = "sr25519VerifyBatch")]
pub fn sr25519_verify_batch(public_keys: Vec<Uint8Array>, messages: Vec<Uint8Array>, signatures: Vec<Uint8Array>) -> napi::Result<Vec<bool>> {
    if public_keys.len() != messages.len() || messages.len() != signatures.len() {
        return Err(napi::Error::new(napi::Status::InvalidArg, "publicKeys, messages and signatures must have the same length"));
    }
    // Items with a key or signature of the wrong length are false; the rest are packed.
    let fits: Vec<usize> = (0..public_keys.len()).filter(|&i| public_keys[i].len() == 32 && signatures[i].len() == 64).collect();
    let (mut keys, mut sigs, mut msgs, mut ends) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &i in &fits {
        keys.extend_from_slice(&public_keys[i]);
        sigs.extend_from_slice(&signatures[i]);
        msgs.extend_from_slice(&messages[i]);
        ends.push(msgs.len() as u32);
    }
    let answers = verify_packed(&Packed::new(&keys, &sigs, &msgs, &ends)?);
    let mut ok = vec![false; public_keys.len()];
    for (j, &i) in fits.iter().enumerate() {
        ok[i] = answers[j] == 1;
    }
    Ok(ok)
}

/// The packed form (see Packed): one byte per item, 1 for a valid signature; on the calling thread.
#[napi(js_name = "sr25519VerifyPacked")]
pub fn sr25519_verify_packed(public_keys: Uint8Array, signatures: Uint8Array, messages: Uint8Array, message_ends: Uint32Array) -> napi::Result<Uint8Array> {
    Ok(verify_packed(&Packed::new(&public_keys, &signatures, &messages, &message_ends)?).into())
}

pub struct VerifyPackedTask {
    public_keys: Vec<u8>,
    signatures: Vec<u8>,
    messages: Vec<u8>,
    message_ends: Vec<u32>,
}

impl Task for VerifyPackedTask {
    type Output = Vec<u8>;
    type JsValue = Uint8Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(verify_packed(&Packed::new(&self.public_keys, &self.signatures, &self.messages, &self.message_ends)?))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into())
    }
}

/// As sr25519VerifyPacked, on libuv's thread pool (the inputs are copied first; the JS thread does not wait).
#[napi(js_name = "sr25519VerifyPackedAsync")]
pub fn sr25519_verify_packed_async(public_keys: Uint8Array, signatures: Uint8Array, messages: Uint8Array, message_ends: Uint32Array) -> napi::Result<AsyncTask<VerifyPackedTask>> {
    Packed::new(&public_keys, &signatures, &messages, &message_ends)?;
    Ok(AsyncTask::new(VerifyPackedTask {
        public_keys: public_keys.to_vec(),
        signatures: signatures.to_vec(),
        messages: messages.to_vec(),
        message_ends: message_ends.to_vec(),
    }))
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
        let (mut keys, mut sigs, mut msgs, mut ends) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for n in 0..200u8 {
            let pair = keypair(n);
            let message = vec![n; 40];
            let signature = pair.sign(signing_context(SIGNING_CONTEXT).bytes(&message)).to_bytes();
            keys.extend_from_slice(&pair.public.to_bytes());
            sigs.extend_from_slice(&signature);
            msgs.extend_from_slice(if n % 67 == 5 { &[0u8; 40] } else { &message });
            ends.push(msgs.len() as u32);
        }
        keys.extend_from_slice(&[0xff; 32]);
        sigs.extend_from_slice(&[0; 64]);
        ends.push(msgs.len() as u32);
        let batch = Packed::new(&keys, &sigs, &msgs, &ends).unwrap();
        let ok = verify_packed(&batch);
        for i in 0..batch.len() {
            assert_eq!(ok[i] == 1, verify_one(batch.public_key(i), batch.message(i), batch.signature(i)), "item {i}");
        }
        assert_eq!(ok.iter().filter(|b| **b == 0).count(), 4);
    }
}
