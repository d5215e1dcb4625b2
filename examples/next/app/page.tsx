export default function Home() {
  return (
    <>
      <h1>Home</h1>
      <p>Welcome to the example shop.</p>
    </>
  );
}
