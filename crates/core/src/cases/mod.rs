//! Cases: the state machine that decides whether a case may move (callback, approval, rejection,
//! release) and the policy it applies. Pure: the acting user, their role and the time come in.

pub mod callback_numbers;
pub mod flow;
pub mod name_check;
pub mod policy;
pub mod record;
pub mod search;
pub mod steps;
