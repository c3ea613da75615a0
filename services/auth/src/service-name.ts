// Its own module so the operator commands can name the service without loading the whole app.

/** The auth service's name in logs, metrics and error reports. */
export const serviceName = 'auth';
