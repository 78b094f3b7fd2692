//! The signed files and what they rest on: Ed25519 keys and their fingerprints, the envelope
//! every signed file shares, the instruction payload, partner cards, key-rotation statements,
//! partners' freeze notices and their lifts, the confirmation code and callback challenge read on
//! the phone, the organisation's callback key (X25519) the version-2 response rests on, the
//! recovery key's rotations and revocations, the one signing path, and the check of one file
//! without history ([`verify`]).

pub mod callback_key;
pub mod card;
pub mod codes;
pub mod envelope;
pub mod fingerprint;
pub mod freeze;
pub mod instruction;
pub mod keys;
pub mod recovery;
pub mod rotation;
pub mod signing;
#[cfg(test)]
mod vectors;
pub mod verify;
