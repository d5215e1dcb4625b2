import { cookies } from 'next/headers';

export default async function Welcome() {
  // The proxy forwards the mbuzz cookies on the request, so even a first visit sees its new id here.
  const visitorId = (await cookies()).get('_mbuzz_vid')?.value;
  return (
    <>
      <h1>Welcome</h1>
      <p>Thanks for signing up.</p>
      <p>
        Visitor id: <code id="visitor-id">{visitorId ?? 'none'}</code>
      </p>
    </>
  );
}
