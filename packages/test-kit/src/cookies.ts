/** The shape of an identity cookie set by an adapter (`Secure` only over https). */
export const COOKIE_SHAPE =
  /^_mbuzz_(vid|sid)=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax(; Secure)?$/;

/** mbuzz's own Set-Cookie values among an answer's. */
export const mbuzzCookies = (setCookies: string[]): string[] =>
  setCookies.filter((c) => c.startsWith('_mbuzz_'));

/** The value of cookie `name` among Set-Cookie values. */
export const cookieValue = (setCookies: string[], name: string): string | undefined =>
  setCookies
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0]
    ?.slice(name.length + 1);
