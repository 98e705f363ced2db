import {
  createParamDecorator,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import type { DeviceIdentity } from '../fleet/device.record';
import { RegistrationService } from '../registration/registration.service';

export interface DeviceRequest {
  headers: Record<string, string | string[] | undefined>;
  device?: DeviceIdentity;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer +(\S+) *$/i.exec(value ?? '');
  return match ? match[1] : null;
}

/**
 * Device API authentication: `Authorization: Bearer <device token>` (sbd_…), checked against
 * the stored hash; 401 otherwise, which makes the app register again. Controllers using it are
 * `@Public()` for the platform's JWT guard: phones have no JWTs.
 */
@Injectable()
export class DeviceAuthGuard implements CanActivate {
  constructor(private readonly registration: RegistrationService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<DeviceRequest>();
    request.device = await this.registration.authenticate(
      bearerToken(request.headers.authorization),
    );
    return true;
  }
}

/** The authenticated device of a device API call. */
export const CurrentDevice = createParamDecorator(
  (_data: unknown, context: ExecutionContext): DeviceIdentity => {
    const device = context.switchToHttp().getRequest<DeviceRequest>().device;
    if (!device) throw new Error('CurrentDevice used without DeviceAuthGuard');
    return device;
  },
);
