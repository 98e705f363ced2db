import { z } from '@switchboard/config';
import { APP_STATES } from '../domain/message-states';

/**
 * Request bodies of the device API, as the SMSGate app sends them (GatewayApi.kt; client-go
 * requests_mobile.go). Unknown fields are ignored (newer app versions add some); wrong types
 * and oversized values are refused with 400.
 */
const simCard = z.object({
  slotIndex: z.number().int().min(0).max(15),
  simNumber: z.number().int().min(1).max(16),
  phoneNumber: z.string().max(64).nullish(),
  carrierName: z.string().max(128).nullish(),
  iccid: z.string().max(64).nullish(),
});

export const registerDeviceBody = z.object({
  name: z.string().max(128).nullish(),
  pushToken: z.string().max(512).nullish(),
  simCards: z.array(simCard).max(8).nullish(),
});

export const patchDeviceBody = z.object({
  id: z.string().min(1).max(64),
  pushToken: z.string().max(512).nullable().optional(),
  simCards: z.array(simCard).max(8).nullish(),
});

const appState = z.enum(APP_STATES);

export const patchMessagesBody = z
  .array(
    z.object({
      id: z.string().min(1).max(64),
      state: appState,
      recipients: z
        .array(
          z.object({
            phoneNumber: z.string().max(512),
            state: appState,
            error: z.string().max(4000).nullish(),
          }),
        )
        .max(100)
        .default([]),
      // Gson dates, or epoch milliseconds from older app versions.
      states: z
        .record(z.string().max(32), z.union([z.string().max(64), z.number()]))
        .nullish()
        .transform((v) => v ?? {}),
    }),
  )
  .max(500);

export const messagesQuery = z.object({
  order: z.enum(['lifo', 'fifo']).default('lifo'),
});
