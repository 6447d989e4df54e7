// Flag bits of the track fragment boxes (ISO/IEC 14496-12 8.8.7 tfhd, 8.8.8 trun), shared by the
// readers and the writer of fragments.
export const TFHD_BASE_DATA_OFFSET = 0x1;
export const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
export const TFHD_DEFAULT_DURATION = 0x8;
export const TFHD_DEFAULT_SIZE = 0x10;
export const TFHD_DEFAULT_FLAGS = 0x20;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;
export const TRUN_DATA_OFFSET = 0x1;
export const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
export const TRUN_DURATION = 0x100;
export const TRUN_SIZE = 0x200;
export const TRUN_FLAGS = 0x400;
export const TRUN_CTS_OFFSET = 0x800;
/** sample_is_non_sync_sample in the sample flags word. */
export const NON_SYNC = 0x10000;
