//! Coordination between agencies beyond the notice itself: decisions and the authority they
//! rest on (`decisions`), handovers of a case to another agency (`handovers`), jurisdiction by
//! customs operation area and pursuit proposals (`jurisdiction`), and joint operations
//! (`operations`).

pub(crate) mod decisions;
pub(crate) mod handovers;
pub(crate) mod jurisdiction;
pub(crate) mod operations;

pub use decisions::{DeciderView, DecisionInput, DecisionView};
pub use handovers::{HandoverAnswerInput, HandoverInput, HandoverView};
pub use jurisdiction::{LeftOutView, ProposedRecipient, PursuitProposal, PursuitQuery};
pub use operations::{
    CommodityResultView, LinkCaseInput, LinkedCaseView, OperationInput, OperationMessageInput, OperationMessageView, OperationResultsView,
    OperationView,
};
