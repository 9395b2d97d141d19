//! The SMPP 3.4 PDU codec.
