//! SMPP 3.4 §5.1.3: the command_status values this codec answers with.
//! (The full table with descriptions is `smswire.pdu.CommandStatus`.)

pub const ESME_ROK: u32 = 0x0000_0000;
pub const ESME_RINVMSGLEN: u32 = 0x0000_0001;
pub const ESME_RINVCMDLEN: u32 = 0x0000_0002;
pub const ESME_RINVCMDID: u32 = 0x0000_0003;
pub const ESME_RSYSERR: u32 = 0x0000_0008;
pub const ESME_RINVSRCADR: u32 = 0x0000_000A;
pub const ESME_RINVDSTADR: u32 = 0x0000_000B;
pub const ESME_RINVMSGID: u32 = 0x0000_000C;
pub const ESME_RINVPASWD: u32 = 0x0000_000E;
pub const ESME_RINVSYSID: u32 = 0x0000_000F;
pub const ESME_RINVSERTYP: u32 = 0x0000_0015;
pub const ESME_RINVNUMDESTS: u32 = 0x0000_0033;
pub const ESME_RINVDLNAME: u32 = 0x0000_0034;
pub const ESME_RINVDESTFLAG: u32 = 0x0000_0040;
pub const ESME_RINVESMCLASS: u32 = 0x0000_0043;
pub const ESME_RINVSRCTON: u32 = 0x0000_0048;
pub const ESME_RINVSRCNPI: u32 = 0x0000_0049;
pub const ESME_RINVDSTTON: u32 = 0x0000_0050;
pub const ESME_RINVDSTNPI: u32 = 0x0000_0051;
pub const ESME_RINVSYSTYP: u32 = 0x0000_0053;
pub const ESME_RINVREPFLAG: u32 = 0x0000_0054;
pub const ESME_RINVPRTFLG: u32 = 0x0000_0006;
pub const ESME_RINVREGDLVFLG: u32 = 0x0000_0007;
pub const ESME_RINVSCHED: u32 = 0x0000_0061;
pub const ESME_RINVEXPIRY: u32 = 0x0000_0062;
pub const ESME_RINVDFTMSGID: u32 = 0x0000_0063;
pub const ESME_RINVOPTPARSTREAM: u32 = 0x0000_00C0;
pub const ESME_ROPTPARNOTALLWD: u32 = 0x0000_00C1;
pub const ESME_RINVPARLEN: u32 = 0x0000_00C2;

/// The status a server answers when `field` is malformed (too long, bad
/// value). A body that ends inside a field is ESME_RINVCMDLEN whatever the
/// field. Mirrors `FIELD_STATUS` of `smswire/pdu/_types.py`.
pub fn for_field(field: &str) -> u32 {
    match field {
        "system_id" => ESME_RINVSYSID,
        "password" => ESME_RINVPASWD,
        "system_type" => ESME_RINVSYSTYP,
        "service_type" => ESME_RINVSERTYP,
        "source_addr" => ESME_RINVSRCADR,
        "destination_addr" => ESME_RINVDSTADR,
        "source_addr_ton" => ESME_RINVSRCTON,
        "source_addr_npi" => ESME_RINVSRCNPI,
        "dest_addr_ton" => ESME_RINVDSTTON,
        "dest_addr_npi" => ESME_RINVDSTNPI,
        "message_id" => ESME_RINVMSGID,
        "esm_class" => ESME_RINVESMCLASS,
        "priority_flag" => ESME_RINVPRTFLG,
        "registered_delivery" => ESME_RINVREGDLVFLG,
        "replace_if_present_flag" => ESME_RINVREPFLAG,
        "sm_default_msg_id" => ESME_RINVDFTMSGID,
        "schedule_delivery_time" => ESME_RINVSCHED,
        "validity_period" => ESME_RINVEXPIRY,
        "short_message" => ESME_RINVMSGLEN,
        "number_of_dests" => ESME_RINVNUMDESTS,
        "dest_flag" => ESME_RINVDESTFLAG,
        "dl_name" => ESME_RINVDLNAME,
        "message_payload" => ESME_ROPTPARNOTALLWD,
        "tlvs" => ESME_RINVOPTPARSTREAM,
        _ => ESME_RSYSERR,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_statuses_follow_smpp_3_4_section_5_1_3() {
        assert_eq!(for_field("password"), 0x0E);
        assert_eq!(for_field("validity_period"), 0x62);
        assert_eq!(for_field("address_range"), ESME_RSYSERR);
        assert_eq!(ESME_ROK, 0);
    }
}
