//! What a model is to the rest of borderflow: a `kind` name, a validation of
//! its scenario section into typed parameters, and an [`Experiment`] that
//! runs replications of them.
//!
//! Models implement [`ModelKind`] and depend only on the layers below
//! (engine, rng, calendar, metrics, validate, montecarlo); the scenario layer
//! above keeps the registry of kinds. Adding a model is one `impl ModelKind`
//! and one line in the scenario layer's registry (`scenario::MODELS`);
//! nothing else names it.

use std::fmt::Debug;

use ron::Value;

use crate::calendar::Calendar;
use crate::montecarlo::Experiment;
use crate::validate::Checks;

/// A kind of model selectable by `model.kind` in a scenario.
pub trait ModelKind: 'static {
    /// The `kind` string in scenarios (`"border"`).
    const KIND: &'static str;
    /// The validated parameters.
    type Params: Clone + Debug + Send + Sync + 'static;
    /// Validates the `model` section (without `kind`) over `calendar`,
    /// recording every problem in `checks` with its scenario path.
    fn validate(model: Value, calendar: &Calendar, checks: &mut Checks) -> Option<Self::Params>;
    /// The experiment that runs replications of `params` over `calendar`.
    fn experiment(params: Self::Params, calendar: Calendar) -> Box<dyn Experiment>;
}

/// Validated parameters of some model kind, behind one type the scenario
/// can hold without naming the model.
pub struct ModelSpec(Box<dyn Validated>);

/// The object-safe face of a [`ModelKind`]'s parameters.
trait Validated: Debug + Send + Sync {
    fn kind(&self) -> &'static str;
    fn clone_box(&self) -> Box<dyn Validated>;
    fn experiment(&self, calendar: Calendar) -> Box<dyn Experiment>;
    fn into_experiment(self: Box<Self>, calendar: Calendar) -> Box<dyn Experiment>;
    fn params(&self) -> &dyn std::any::Any;
}

/// Parameters of kind `K`.
struct Of<K: ModelKind>(K::Params);

impl<K: ModelKind> Debug for Of<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<K: ModelKind> Validated for Of<K> {
    fn kind(&self) -> &'static str {
        K::KIND
    }
    fn clone_box(&self) -> Box<dyn Validated> {
        Box::new(Of::<K>(self.0.clone()))
    }
    fn experiment(&self, calendar: Calendar) -> Box<dyn Experiment> {
        K::experiment(self.0.clone(), calendar)
    }
    fn into_experiment(self: Box<Self>, calendar: Calendar) -> Box<dyn Experiment> {
        K::experiment(self.0, calendar)
    }
    fn params(&self) -> &dyn std::any::Any {
        &self.0
    }
}

impl ModelSpec {
    /// Wraps validated parameters of kind `K`.
    pub fn new<K: ModelKind>(params: K::Params) -> Self {
        Self(Box::new(Of::<K>(params)))
    }

    /// The model's `kind`.
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    /// The parameters, if this is a model of kind `K`.
    pub fn params<K: ModelKind>(&self) -> Option<&K::Params> {
        self.0.params().downcast_ref()
    }

    /// The experiment over `calendar` (the parameters are copied).
    pub fn experiment(&self, calendar: Calendar) -> Box<dyn Experiment> {
        self.0.experiment(calendar)
    }

    /// The experiment over `calendar`, taking the parameters.
    pub fn into_experiment(self, calendar: Calendar) -> Box<dyn Experiment> {
        self.0.into_experiment(calendar)
    }
}

impl Clone for ModelSpec {
    fn clone(&self) -> Self {
        Self(self.0.clone_box())
    }
}

impl Debug for ModelSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ", self.kind())?;
        self.0.fmt(f)
    }
}

/// One entry of the scenario layer's registry: a kind name and its
/// validation, as plain data so the registry can be a `const` list.
#[derive(Clone, Copy)]
pub struct Registration {
    /// The `kind` string.
    pub kind: &'static str,
    /// Validates a `model` section (without `kind`) into a [`ModelSpec`].
    pub validate: fn(Value, &Calendar, &mut Checks) -> Option<ModelSpec>,
}

/// The registry entry of model kind `K`.
pub const fn register<K: ModelKind>() -> Registration {
    Registration {
        kind: K::KIND,
        validate: validate_as::<K>,
    }
}

fn validate_as<K: ModelKind>(
    model: Value,
    calendar: &Calendar,
    checks: &mut Checks,
) -> Option<ModelSpec> {
    K::validate(model, calendar, checks).map(ModelSpec::new::<K>)
}
