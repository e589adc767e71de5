//! Who a use case acts for.

use cordon_core::audit::AuditEntry;
use cordon_core::{Role, RoleSet, User};

use crate::AppError;

/// The authenticated person (or the operator at the CLI) a use case acts for.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user.
    pub user: User,
    /// The agency of the user's unit.
    pub agency_id: String,
    /// Hash of the token that authenticated this request, if any (CLI has none).
    pub token_hash: Option<String>,
}

impl Actor {
    /// The operator at the command line: a machine's owner acts as administrator,
    /// and is audited under the id `system:cli`.
    pub fn cli() -> Actor {
        Actor {
            user: User {
                id: "system:cli".into(),
                username: "cli".into(),
                display_name: "Command line".into(),
                unit_id: String::new(),
                roles: vec![Role::Administrator],
                must_change_password: false,
                language: Default::default(),
                disabled: false,
            },
            agency_id: String::new(),
            token_hash: None,
        }
    }

    /// Refuses everything but changing the password while a one-time password is in force.
    pub fn require_active(&self) -> Result<(), AppError> {
        if self.user.must_change_password {
            return Err(AppError::PasswordChangeRequired);
        }
        Ok(())
    }

    /// Requires the administrator role.
    pub fn require_admin(&self) -> Result<(), AppError> {
        self.require_active()?;
        if !self.user.roles.may_administer() {
            return Err(AppError::Forbidden("administrators only"));
        }
        Ok(())
    }

    /// Requires the auditor (or administrator) role.
    pub fn require_auditor(&self) -> Result<(), AppError> {
        self.require_active()?;
        if !self.user.roles.may_audit() {
            return Err(AppError::Forbidden("auditors only"));
        }
        Ok(())
    }

    /// An audit entry for an action of this actor.
    pub fn audit(&self, at: i64, action: &str, object_type: &str, object_id: &str, outcome: &str, detail: serde_json::Value) -> AuditEntry {
        AuditEntry {
            seq: 0,
            at,
            actor_user_id: Some(self.user.id.clone()),
            actor_unit_id: Some(self.user.unit_id.clone()).filter(|u| !u.is_empty()),
            action: action.into(),
            object_type: object_type.into(),
            object_id: object_id.into(),
            outcome: outcome.into(),
            detail: detail.to_string(),
        }
    }
}
