//! Identities of the things a template can reference. They are plain
//! numbers so handles are `Copy`; the app id tells apps apart, so a handle
//! from another app is caught at synthesis instead of pointing at a stranger.

/// A stack within an app.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StackId {
    pub(crate) app: u32,
    pub(crate) index: u32,
}

macro_rules! element_id {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name {
            pub(crate) stack: StackId,
            pub(crate) index: u32,
        }
        impl $name {
            /// The stack that defines it.
            pub fn stack(&self) -> StackId {
                self.stack
            }
        }
    )*};
}

element_id!(
    /// A resource in a stack.
    ResourceId,
    /// A parameter in a stack.
    ParameterId,
    /// A condition in a stack.
    ConditionId,
    /// A mapping in a stack.
    MappingId
);

/// A node of a stack's construct tree: a construct added with
/// [`Scope::add`](crate::Scope::add), or a resource. Built constructs and
/// resource handles carry one, so [`Scope::edit`](crate::Scope::edit) can
/// reach the resources under them after they are built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeId {
    pub(crate) stack: StackId,
    pub(crate) key: NodeKey,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum NodeKey {
    /// An index into the stack's construct paths.
    Construct(u32),
    /// A resource: the node is the resource itself.
    Resource(u32),
}

impl NodeId {
    /// The stack that holds it.
    pub fn stack(&self) -> StackId {
        self.stack
    }
}
