//! What a caller may do: Sentry's scope names, and the scopes each role holds.
//!
//! A request's scopes are those of its credential: a session has its member's role's scopes; an
//! organization token has the scopes it was made with; a personal token has the scopes it was
//! made with *and* its user's role's scopes (so a demoted user's tokens shrink with them).
use entity::states::Role;

/// One permission, named as Sentry names it (`sentry-cli` and Sentry API clients send these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Read the organization, its teams and integrations (secrets never leave the server).
    OrgRead,
    /// Change integrations and teams.
    OrgWrite,
    /// Delete the organization, manage owners, read the audit log's every entry.
    OrgAdmin,
    ProjectRead,
    /// Create projects, change settings and DSN keys.
    ProjectWrite,
    ProjectAdmin,
    ProjectReleases,
    EventRead,
    /// Resolve, ignore, assign, comment, merge, ingest.
    EventWrite,
    EventAdmin,
    MemberRead,
    /// Invite and remove members, change roles below owner.
    MemberWrite,
    AlertsRead,
    AlertsWrite,
}

pub const ALL_SCOPES: [Scope; 14] = [
    Scope::OrgRead,
    Scope::OrgWrite,
    Scope::OrgAdmin,
    Scope::ProjectRead,
    Scope::ProjectWrite,
    Scope::ProjectAdmin,
    Scope::ProjectReleases,
    Scope::EventRead,
    Scope::EventWrite,
    Scope::EventAdmin,
    Scope::MemberRead,
    Scope::MemberWrite,
    Scope::AlertsRead,
    Scope::AlertsWrite,
];

impl Scope {
    /// Sentry's name, e.g. `event:read`.
    pub fn name(self) -> &'static str {
        match self {
            Scope::OrgRead => "org:read",
            Scope::OrgWrite => "org:write",
            Scope::OrgAdmin => "org:admin",
            Scope::ProjectRead => "project:read",
            Scope::ProjectWrite => "project:write",
            Scope::ProjectAdmin => "project:admin",
            Scope::ProjectReleases => "project:releases",
            Scope::EventRead => "event:read",
            Scope::EventWrite => "event:write",
            Scope::EventAdmin => "event:admin",
            Scope::MemberRead => "member:read",
            Scope::MemberWrite => "member:write",
            Scope::AlertsRead => "alerts:read",
            Scope::AlertsWrite => "alerts:write",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        ALL_SCOPES.into_iter().find(|scope| scope.name() == name)
    }

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of scopes (a bit per scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Scopes(u16);

impl Scopes {
    pub fn all() -> Scopes {
        Scopes::of(&ALL_SCOPES)
    }

    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes(scopes.iter().fold(0, |bits, scope| bits | scope.bit()))
    }

    /// What a role may do.
    pub fn of_role(role: Role) -> Scopes {
        use Scope::*;
        let member = Scopes::of(&[
            OrgRead,
            ProjectRead,
            ProjectReleases,
            EventRead,
            EventWrite,
            MemberRead,
            AlertsRead,
            AlertsWrite,
        ]);
        match role {
            Role::Member => member,
            Role::Admin => member.union(Scopes::of(&[
                OrgWrite,
                ProjectWrite,
                ProjectAdmin,
                EventAdmin,
                MemberWrite,
            ])),
            Role::Owner => Scopes::all(),
        }
    }

    pub fn contains(self, scope: Scope) -> bool {
        self.0 & scope.bit() != 0
    }

    pub fn is_subset_of(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn union(self, other: Scopes) -> Scopes {
        Scopes(self.0 | other.0)
    }

    pub fn intersection(self, other: Scopes) -> Scopes {
        Scopes(self.0 & other.0)
    }

    pub fn iter(self) -> impl Iterator<Item = Scope> {
        ALL_SCOPES.into_iter().filter(move |s| self.contains(*s))
    }

    /// The stored form: names separated by spaces, or `*` for every scope (what tokens made
    /// before scopes existed hold, and what stays "every scope" when scopes are added).
    pub fn to_column(self) -> String {
        if self == Scopes::all() {
            return "*".to_string();
        }
        self.iter().map(Scope::name).collect::<Vec<_>>().join(" ")
    }

    /// Reads the stored form; unknown names (none are written) are dropped, never widened.
    pub fn from_column(column: &str) -> Scopes {
        if column.trim() == "*" {
            return Scopes::all();
        }
        Scopes::of(
            &column
                .split_whitespace()
                .filter_map(Scope::parse)
                .collect::<Vec<_>>(),
        )
    }

    /// Parses names as a person typed them (`event:read,project:read` or space-separated).
    pub fn parse_list(names: &[String]) -> Result<Scopes, String> {
        let mut scopes = Vec::new();
        for name in names
            .iter()
            .flat_map(|n| n.split([',', ' ']))
            .filter(|n| !n.is_empty())
        {
            scopes.push(Scope::parse(name).ok_or_else(|| {
                format!(
                    "unknown scope {name:?}; scopes are {}",
                    ALL_SCOPES.map(Scope::name).join(", ")
                )
            })?);
        }
        Ok(Scopes::of(&scopes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_nest_and_owner_holds_everything() {
        let member = Scopes::of_role(Role::Member);
        let admin = Scopes::of_role(Role::Admin);
        assert!(member.is_subset_of(admin));
        assert!(admin.is_subset_of(Scopes::of_role(Role::Owner)));
        assert!(!admin.contains(Scope::OrgAdmin));
        assert!(!member.contains(Scope::ProjectWrite));
        assert!(member.contains(Scope::AlertsWrite));
        assert_eq!(Scopes::of_role(Role::Owner), Scopes::all());
    }

    #[test]
    fn column_round_trips_and_star_means_all() {
        let some = Scopes::of(&[Scope::EventRead, Scope::ProjectWrite]);
        assert_eq!(some.to_column(), "project:write event:read");
        assert_eq!(Scopes::from_column(&some.to_column()), some);
        assert_eq!(Scopes::from_column("*"), Scopes::all());
        assert_eq!(Scopes::all().to_column(), "*");
        assert_eq!(Scopes::from_column(""), Scopes::default());
    }

    #[test]
    fn typed_lists_parse_or_name_the_bad_scope() {
        let parsed = Scopes::parse_list(&["event:read,project:read".into()]).unwrap();
        assert_eq!(parsed, Scopes::of(&[Scope::EventRead, Scope::ProjectRead]));
        let error = Scopes::parse_list(&["event:reed".into()]).unwrap_err();
        assert!(error.contains("event:reed"), "{error}");
    }
}
