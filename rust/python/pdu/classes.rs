//! The Python classes the codec builds and reads: the PDU dataclasses of
//! `smswire.pdu._types` and their entry types, each with its slot layout,
//! looked up once.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyType;

use crate::pdu::schema::PDUS;

use super::super::capi::SlotLayout;

pub struct Cache {
    pub ints: SmallInts,
    /// The PDU classes, in the order of [`PDUS`].
    pub pdus: Vec<SlotLayout>,
    pub tlv: SlotLayout,
    pub sme_address: SlotLayout,
    pub distribution_list: SlotLayout,
    pub unsuccess_sme: SlotLayout,
}

static CACHE: PyOnceLock<Cache> = PyOnceLock::new();

pub fn cache(py: Python<'_>) -> PyResult<&Cache> {
    CACHE.get_or_try_init(py, || {
        let module = py.import("smswire.pdu._types")?;
        let dataclasses = py.import("dataclasses")?;
        let fields = dataclasses.getattr("fields")?;
        let missing = dataclasses.getattr("MISSING")?;
        let class = |name: &str| -> PyResult<SlotLayout> {
            let cls = module.getattr(name)?.cast_into::<PyType>()?;
            let mut specs = Vec::new();
            for field in fields.call1((&cls,))?.try_iter()? {
                let field = field?;
                let default = field.getattr("default")?;
                specs.push((
                    field.getattr("name")?.extract::<String>()?,
                    (!default.is(&missing)).then(|| default.unbind()),
                ));
            }
            SlotLayout::new(&cls, specs)
        };
        let pdus = PDUS
            .iter()
            .map(|spec| class(spec.name))
            .collect::<PyResult<Vec<_>>>()?;
        for (spec, class) in PDUS.iter().zip(&pdus) {
            let expected = spec.fields.len() + 3;
            if class.names().len() != expected {
                return Err(PyTypeError::new_err(format!(
                    "{} has {} fields, the native schema {expected}",
                    spec.name,
                    class.names().len()
                )));
            }
        }
        Ok(Cache {
            ints: SmallInts::new(py)?,
            pdus,
            tlv: class("Tlv")?,
            sme_address: class("SmeAddress")?,
            distribution_list: class("DistributionList")?,
            unsuccess_sme: class("UnsuccessSme")?,
        })
    })
}

impl Cache {
    /// The class `cls` is, or the first one it derives from.
    pub fn class_for(&self, cls: &Bound<'_, PyType>) -> Option<&SlotLayout> {
        let known = || {
            self.pdus.iter().chain([
                &self.tlv,
                &self.sme_address,
                &self.distribution_list,
                &self.unsuccess_sme,
            ])
        };
        if let Some(class) = known().find(|class| class.cls().is(cls)) {
            return Some(class);
        }
        cls.mro()
            .iter()
            .find_map(|base| known().find(|class| class.cls().is(&base)))
    }

    /// The index in [`PDUS`] of the class of `object` itself.
    pub fn pdu_index(&self, object: &Bound<'_, PyAny>) -> Option<usize> {
        let cls = object.get_type();
        self.pdus.iter().position(|class| class.cls().is(&cls))
    }
}

/// The ints 0..=255, which CPython caches, so that every such int in a
/// PDU is one of these objects. When they sit in one array at a power-of-two
/// stride, as in every CPython so far (checked, not assumed), an int's value
/// follows from its address alone, without a call; any other int is read the
/// ordinary way. The objects are held, so no other object can take their
/// addresses.
pub struct SmallInts {
    objects: Vec<Py<PyAny>>,
    /// The address of 0 and log2 of the stride, if the array is regular.
    layout: Option<(usize, u32)>,
}

impl SmallInts {
    fn new(py: Python<'_>) -> PyResult<Self> {
        let objects = (0..=u8::MAX)
            .map(|value| Ok(value.into_pyobject(py)?.into_any().unbind()))
            .collect::<PyResult<Vec<_>>>()?;
        let address = |value: usize| objects[value].as_ptr() as usize;
        let layout = address(1)
            .checked_sub(address(0))
            .filter(|stride| stride.is_power_of_two())
            .map(|stride| (address(0), stride.trailing_zeros()))
            .filter(|&(base, shift)| (0..objects.len()).all(|v| address(v) == base + (v << shift)));
        Ok(SmallInts { objects, layout })
    }

    /// The value of `object` if it is one of the cached ints 0..=255.
    #[inline]
    pub fn value(&self, object: &Bound<'_, PyAny>) -> Option<u8> {
        let (base, shift) = self.layout?;
        let offset = (object.as_ptr() as usize).wrapping_sub(base);
        let index = offset >> shift;
        (index <= usize::from(u8::MAX) && index << shift == offset).then_some(index as u8)
    }

    pub fn get<'py>(&self, py: Python<'py>, value: u8) -> Bound<'py, PyAny> {
        self.objects[usize::from(value)].bind(py).clone()
    }
}
