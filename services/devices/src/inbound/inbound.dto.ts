import { z } from '@switchboard/config';

/** The app's webhook envelope (WebHookEventDTO.kt). */
export const webhookEnvelope = z.object({
  id: z.string().min(1).max(128),
  webhookId: z.string().max(128).nullish(),
  event: z.string().min(1).max(64),
  deviceId: z.string().max(64).nullish(),
  payload: z.record(z.string(), z.unknown()),
});

const date = z
  .string()
  .max(64)
  .refine((v) => Number.isFinite(Date.parse(v)), 'not a date');

/** `sms:received` (SmsEventPayload.SmsReceived). */
export const smsReceivedPayload = z.object({
  messageId: z.string().min(1).max(128),
  message: z.string().max(20_000),
  sender: z.string().min(1).max(64),
  recipient: z.string().max(64).nullish(),
  simNumber: z.number().int().min(0).max(16).nullish(),
  receivedAt: date,
});

/**
 * `mms:received` (SmsEventPayload.MmsReceived): the network's MMS notification — metadata only,
 * the content stays on the phone. `sender` is the contact.
 */
export const mmsReceivedPayload = z.object({
  messageId: z.string().min(1).max(128),
  sender: z.string().min(1).max(64),
  recipient: z.string().max(64).nullish(),
  simNumber: z.number().int().min(0).max(16).nullish(),
  transactionId: z.string().max(256).nullish(),
  subject: z.string().max(2_000).nullish(),
  size: z.number().int().min(0).max(1_000_000_000).nullish(),
  contentClass: z.string().max(64).nullish(),
  receivedAt: date,
});
export type MmsReceived = z.infer<typeof mmsReceivedPayload>;
