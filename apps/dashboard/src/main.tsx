document.getElementById('app')?.append('mbuzz');
