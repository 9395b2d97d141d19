//! Decoding: each field's object is made as the core decoder reads it
//! (`codec::Sink`), and the instance allocated once all are in hand.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::pdu::codec::{self, Value};
use crate::pdu::schema::{self, Kind, PduSpec};

use super::super::capi::{latin1_str, NewInstance, SlotLayout};
use super::classes::Cache;
use super::Failure;

/// Decode exactly one whole PDU into its Python object.
pub fn decode_one<'py>(
    py: Python<'py>,
    cache: &Cache,
    data: &[u8],
) -> Result<Bound<'py, PyAny>, Failure> {
    let (spec, status, sequence) = codec::check_header(data)?;
    let index = schema::index_of(spec.command_id).expect("a known command_id has its class");
    let mut building = Building {
        cache,
        spec,
        values: NewInstance::new(py, &cache.pdus[index]),
        tlvs: Vec::new(),
    };
    let body = &data[schema::HEADER_LENGTH..];
    codec::read_body(spec, body, sequence, &mut building)?;
    let count = spec.fields.len();
    if status != 0 {
        let status = status.into_pyobject(py)?.into_any();
        building.values.set(count, status);
    }
    if sequence != 0 {
        let sequence = sequence.into_pyobject(py)?.into_any();
        building.values.set(count + 1, sequence);
    }
    if !building.tlvs.is_empty() {
        let tlvs = PyTuple::new(py, std::mem::take(&mut building.tlvs))?.into_any();
        building.values.set(count + 2, tlvs);
    }
    Ok(building.values.build_untracked()?)
}

/// Builds the Python object of a PDU from the parts the core decoder reads:
/// each field's object is made as its value is read, with no intermediate
/// [`codec::Pdu`], and a field at its default keeps the class's own object.
struct Building<'a, 'py> {
    cache: &'a Cache,
    spec: &'static PduSpec,
    values: NewInstance<'a, 'py>,
    tlvs: Vec<Bound<'py, PyAny>>,
}

impl<'d, 'py> codec::Sink<'d> for Building<'_, 'py> {
    type Error = Failure;

    #[inline(always)]
    fn field(&mut self, position: usize, value: Value<'d>) -> Result<(), Failure> {
        let py = self.values.py();
        let object = match value {
            Value::U8(v) if self.spec.fields[position].kind == Kind::U8(v) => return Ok(()),
            Value::U8(v) => self.cache.ints.get(py, v),
            Value::Str([]) | Value::Bytes([]) => return Ok(()),
            Value::Str(s) => latin1_str(py, s)?.into_any(),
            Value::Bytes(b) => PyBytes::new(py, b).into_any(),
            Value::Dests(d) if d.is_empty() => return Ok(()),
            Value::Unsuccess(u) if u.is_empty() => return Ok(()),
            value => self.entries(value)?,
        };
        self.values.set(position, object);
        Ok(())
    }

    fn tlv(&mut self, tlv: codec::Tlv<'d>) -> Result<(), Failure> {
        let py = self.values.py();
        let tag = tlv.tag.into_pyobject(py)?.into_any();
        let object = instance(
            py,
            &self.cache.tlv,
            [tag, PyBytes::new(py, tlv.value).into_any()],
        )?;
        self.tlvs.push(object);
        Ok(())
    }
}

impl<'py> Building<'_, 'py> {
    /// The tuple of submit_multi's destinations or unsuccess_sme entries.
    #[inline(never)]
    fn entries(&self, value: Value<'_>) -> PyResult<Bound<'py, PyAny>> {
        let (py, cache) = (self.values.py(), self.cache);
        match value {
            Value::Dests(d) => tuple_of(py, &d, |dest| match dest {
                codec::Dest::Sme { ton, npi, address } => instance(
                    py,
                    &cache.sme_address,
                    [
                        cache.ints.get(py, *ton),
                        cache.ints.get(py, *npi),
                        latin1_str(py, address)?.into_any(),
                    ],
                ),
                codec::Dest::List(name) => instance(
                    py,
                    &cache.distribution_list,
                    [latin1_str(py, name)?.into_any()],
                ),
            }),
            Value::Unsuccess(u) => tuple_of(py, &u, |entry| {
                instance(
                    py,
                    &cache.unsuccess_sme,
                    [
                        cache.ints.get(py, entry.ton),
                        cache.ints.get(py, entry.npi),
                        latin1_str(py, entry.address)?.into_any(),
                        entry.error_status_code.into_pyobject(py)?.into_any(),
                    ],
                )
            }),
            _ => unreachable!("only entry lists are built here"),
        }
    }
}

fn tuple_of<'py, T>(
    py: Python<'py>,
    items: &[T],
    mut convert: impl FnMut(&T) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let objects = items
        .iter()
        .map(&mut convert)
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyTuple::new(py, objects)?.into_any())
}

/// A decoded instance of `class` whose fields, in order, are `values`.
fn instance<'py, const N: usize>(
    py: Python<'py>,
    class: &SlotLayout,
    values: [Bound<'py, PyAny>; N],
) -> PyResult<Bound<'py, PyAny>> {
    let mut gathered = NewInstance::new(py, class);
    for (position, value) in values.into_iter().enumerate() {
        gathered.set(position, value);
    }
    gathered.build_untracked()
}
