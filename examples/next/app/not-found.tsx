export default function NotFound() {
  return (
    <>
      <h1>Not found</h1>
      <p>
        <a href="/">Back home</a>
      </p>
    </>
  );
}
