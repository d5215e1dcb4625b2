export default function Signup() {
  return (
    <>
      <h1>Sign up</h1>
      {/* A plain HTML post: the proxy rewrites POST /signup to app/api/signup/route.ts. */}
      <form method="post" action="/signup">
        <select name="plan" defaultValue="free">
          <option value="free">Free</option>
          <option value="pro">Pro</option>
        </select>
        <button type="submit">Sign up</button>
      </form>
    </>
  );
}
