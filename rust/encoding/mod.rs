//! SMS text encoding: GSM 03.38 and UCS2, analysis and segmentation.
pub mod national;
pub mod smart;
