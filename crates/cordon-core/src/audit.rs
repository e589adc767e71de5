//! The audit log's hash chain: each entry commits to its predecessor, so that any
//! modified, deleted, inserted or reordered entry breaks verification from that point on.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit log: who did what to which object, and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the log, from 1, without gaps.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch.
    pub at: i64,
    /// The acting user, if any (a failed login names none).
    pub actor_user_id: Option<String>,
    /// The acting user's unit at the time.
    pub actor_unit_id: Option<String>,
    /// What was done, e.g. `user.create`, `case.read`, `auth.login`.
    pub action: String,
    /// The kind of object acted on, e.g. `user`, `case`, `person`.
    pub object_type: String,
    /// The object's id.
    pub object_id: String,
    /// `ok` or `denied` (denied attempts are logged too).
    pub outcome: String,
    /// Free detail as JSON text; never a secret.
    pub detail: String,
}

/// An entry as stored: with the hash of its predecessor and its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainedEntry {
    /// The entry.
    pub entry: AuditEntry,
    /// Hash of the previous entry ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This entry's hash over `prev_hash` and its fields.
    pub hash: String,
}

/// Computes the hash of `entry` chained onto `prev_hash`.
///
/// Every field is length-prefixed so that no two different entries serialise alike
/// (moving a character from `action` into `object_type` changes the hash).
pub fn chain_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(prev_hash.as_bytes());
    field(&entry.seq.to_be_bytes());
    field(&entry.at.to_be_bytes());
    field(entry.actor_user_id.as_deref().unwrap_or("\u{0}none").as_bytes());
    field(entry.actor_unit_id.as_deref().unwrap_or("\u{0}none").as_bytes());
    field(entry.action.as_bytes());
    field(entry.object_type.as_bytes());
    field(entry.object_id.as_bytes());
    field(entry.outcome.as_bytes());
    field(entry.detail.as_bytes());
    hex::encode(h.finalize())
}

/// Chains `entry` onto the entry before it (or the genesis).
pub fn chain(prev_hash: &str, entry: AuditEntry) -> ChainedEntry {
    let hash = chain_hash(prev_hash, &entry);
    ChainedEntry { entry, prev_hash: prev_hash.to_string(), hash }
}

/// Where and why verification failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit log broken at entry {seq}: {reason}")]
pub struct ChainBreak {
    /// The first entry that does not verify.
    pub seq: i64,
    /// What is wrong with it.
    pub reason: &'static str,
}

/// Incremental verifier: feed entries in `seq` order; the first bad one is reported.
#[derive(Debug, Clone)]
pub struct Verifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { next_seq: 1, prev_hash: GENESIS.to_string() }
    }
}

impl Verifier {
    /// Checks the next entry against everything seen so far.
    pub fn check(&mut self, e: &ChainedEntry) -> Result<(), ChainBreak> {
        let seq = e.entry.seq;
        if seq != self.next_seq {
            return Err(ChainBreak { seq: seq.min(self.next_seq), reason: "an entry is missing or out of order" });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainBreak { seq, reason: "does not follow the entry before it" });
        }
        if chain_hash(&e.prev_hash, &e.entry) != e.hash {
            return Err(ChainBreak { seq, reason: "its content does not match its hash" });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&e.hash);
        Ok(())
    }

    /// How many entries verified so far.
    pub fn verified(&self) -> i64 {
        self.next_seq - 1
    }

    /// The hash of the last verified entry (the head).
    pub fn head(&self) -> &str {
        &self.prev_hash
    }
}

/// A point of the log vouched for outside the log (signed, published, or kept by an
/// auditor): the chain alone cannot show that entries were cut off its end, a checkpoint can.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Sequence number of the entry vouched for.
    pub seq: i64,
    /// That entry's hash.
    pub hash: String,
}

impl Verifier {
    /// Ends verification: with a checkpoint, the log must reach it and agree with it.
    pub fn finish(self, checkpoint: Option<&Checkpoint>) -> Result<i64, ChainBreak> {
        if let Some(cp) = checkpoint {
            if self.verified() < cp.seq {
                return Err(ChainBreak { seq: self.verified() + 1, reason: "entries vouched for by a checkpoint are missing" });
            }
        }
        Ok(self.verified())
    }

    /// Checks an entry against a checkpoint that names it.
    pub fn check_checkpoint(e: &ChainedEntry, cp: &Checkpoint) -> Result<(), ChainBreak> {
        if e.entry.seq == cp.seq && e.hash != cp.hash {
            return Err(ChainBreak { seq: cp.seq, reason: "differs from the checkpoint that vouched for it" });
        }
        Ok(())
    }
}

/// A checkpoint signed by the node that keeps the log (Ed25519), so that anyone holding
/// the node's public key can check the log was not rewritten or cut since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCheckpoint {
    /// The entry vouched for.
    pub checkpoint: Checkpoint,
    /// When it was signed, ms.
    pub at: i64,
    /// The signing key's public half, hex.
    pub key_id: String,
    /// The signature over [`checkpoint_message`], hex.
    pub signature: String,
}

/// The exact bytes a checkpoint signature covers.
pub fn checkpoint_message(cp: &Checkpoint, at: i64) -> Vec<u8> {
    format!("cordon-audit-checkpoint/v1\n{}\n{}\n{}", cp.seq, cp.hash, at).into_bytes()
}

/// Signs a checkpoint with the node's key.
pub fn sign_checkpoint(key: &ed25519_dalek::SigningKey, cp: Checkpoint, at: i64) -> SignedCheckpoint {
    use ed25519_dalek::Signer;
    let signature = key.sign(&checkpoint_message(&cp, at));
    SignedCheckpoint {
        checkpoint: cp,
        at,
        key_id: hex::encode(key.verifying_key().as_bytes()),
        signature: hex::encode(signature.to_bytes()),
    }
}

/// Whether a signed checkpoint was signed by `key` and not altered since.
pub fn checkpoint_signature_valid(key: &ed25519_dalek::VerifyingKey, s: &SignedCheckpoint) -> bool {
    let Ok(bytes) = hex::decode(&s.signature) else { return false };
    let Ok(sig) = ed25519_dalek::Signature::from_slice(&bytes) else { return false };
    s.key_id == hex::encode(key.as_bytes()) && key.verify_strict(&checkpoint_message(&s.checkpoint, s.at), &sig).is_ok()
}

/// Verifies a whole log in order, and against a checkpoint if one is given.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a ChainedEntry>, checkpoint: Option<&Checkpoint>) -> Result<i64, ChainBreak> {
    let mut v = Verifier::default();
    for e in entries {
        v.check(e)?;
        if let Some(cp) = checkpoint {
            Verifier::check_checkpoint(e, cp)?;
        }
    }
    v.finish(checkpoint)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn log(n: usize) -> Vec<ChainedEntry> {
        let mut out: Vec<ChainedEntry> = Vec::new();
        for i in 0..n {
            let prev = out.last().map_or(GENESIS.to_string(), |e| e.hash.clone());
            let entry = AuditEntry {
                seq: i as i64 + 1,
                at: 1_700_000_000_000 + i as i64,
                actor_user_id: Some(format!("u{}", i % 3)),
                actor_unit_id: None,
                action: "case.read".into(),
                object_type: "case".into(),
                object_id: format!("c{i}"),
                outcome: "ok".into(),
                detail: "{}".into(),
            };
            out.push(chain(&prev, entry));
        }
        out
    }

    #[derive(Debug, Clone)]
    enum Tamper {
        Modify(usize, String),
        Delete(usize),
        Insert(usize),
        Swap(usize, usize),
    }

    fn tamper() -> impl Strategy<Value = Tamper> {
        prop_oneof![
            (0..20usize, "[a-z]{1,8}").prop_map(|(i, s)| Tamper::Modify(i, s)),
            (0..20usize).prop_map(Tamper::Delete),
            (0..21usize).prop_map(Tamper::Insert),
            (0..20usize, 0..20usize).prop_filter("distinct", |(a, b)| a != b).prop_map(|(a, b)| Tamper::Swap(a, b)),
        ]
    }

    fn head(l: &[ChainedEntry]) -> Checkpoint {
        let last = &l[l.len() - 1];
        Checkpoint { seq: last.entry.seq, hash: last.hash.clone() }
    }

    #[test]
    fn an_untouched_log_verifies() {
        let l = log(50);
        assert_eq!(verify(&l, None), Ok(50));
        assert_eq!(verify(&l, Some(&head(&l))), Ok(50));
        assert_eq!(verify(&[], None), Ok(0));
    }

    #[test]
    fn signed_checkpoints_verify_and_resist_forgery() {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        let l = log(5);
        let signed = sign_checkpoint(&key, head(&l), 1_700_000_000_000);
        assert!(checkpoint_signature_valid(&key.verifying_key(), &signed));
        assert!(!checkpoint_signature_valid(&other.verifying_key(), &signed), "another node's key does not vouch for it");
        let mut moved = signed.clone();
        moved.checkpoint.seq -= 1;
        assert!(!checkpoint_signature_valid(&key.verifying_key(), &moved), "a checkpoint moved back to hide a cut tail fails");
        let mut rehashed = signed.clone();
        rehashed.checkpoint.hash = l[3].hash.clone();
        assert!(!checkpoint_signature_valid(&key.verifying_key(), &rehashed));
        let mut garbage = signed;
        garbage.signature = "zz".into();
        assert!(!checkpoint_signature_valid(&key.verifying_key(), &garbage));
    }

    #[test]
    fn cutting_the_tail_is_caught_only_by_a_checkpoint() {
        let mut l = log(10);
        let cp = head(&l);
        l.pop();
        assert_eq!(verify(&l, None), Ok(9), "the chain alone cannot see a cut tail");
        assert_eq!(verify(&l, Some(&cp)).map_err(|b| b.seq), Err(10));
    }

    proptest! {
        #[test]
        fn every_tampering_is_detected(t in tamper()) {
            let mut l = log(20);
            let cp = head(&l);
            match t {
                Tamper::Modify(i, s) => {
                    // Rewriting an entry without fixing its hash, or fixing its hash
                    // without fixing every later one: both must fail.
                    l[i].entry.object_id.push_str(&s);
                }
                Tamper::Delete(i) => { l.remove(i); }
                Tamper::Insert(i) => {
                    let mut forged = l[i.min(19)].clone();
                    forged.entry.action = "case.update".into();
                    forged.hash = chain_hash(&forged.prev_hash, &forged.entry);
                    l.insert(i, forged);
                }
                Tamper::Swap(a, b) => l.swap(a, b),
            }
            prop_assert!(verify(&l, Some(&cp)).is_err());
        }

        #[test]
        fn rehashing_one_entry_is_still_detected(i in 0..19usize) {
            let mut l = log(20);
            l[i].entry.outcome = "denied".into();
            l[i].hash = chain_hash(&l[i].prev_hash, &l[i].entry);
            let err = verify(&l, None).unwrap_err();
            prop_assert_eq!(err.seq, i as i64 + 2);
        }
    }
}
