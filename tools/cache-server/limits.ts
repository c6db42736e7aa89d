/** Size limits, kept apart so option parsing does not load the S3 SDK. */

/** Default `--max-body-bytes`: uploads above 1 GiB are refused with 413. */
export const DEFAULT_MAX_BODY_BYTES = 1024 ** 3;

/** A single S3 PutObject accepts at most 5 GiB. */
export const S3_MAX_PUT_BYTES = 5 * 1024 ** 3;
